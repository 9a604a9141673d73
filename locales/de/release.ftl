# Nach der Herstellung: Prüfung und Entscheidung der sachkundigen Person, Anforderung des Arztes, Versand, Station.
optional = optional
work-nothing-here = Zurzeit nichts.
work-awaiting-release = Warten auf Ihre Freigabeentscheidung
work-to-ship = Freigegeben, zu versenden
work-on-the-ward = Zur Station versandt oder auf Station

next-review = Prüfung nach Ausnahmen
next-physician-request = Ausnahmefreigabe anfordern
next-ship = An das Behandlungszentrum versenden
next-receive = Sendung annehmen
next-bedside = Identitätsprüfung am Bett
next-infusion = Infusion dokumentieren
next-follow-up = Nachsorgetermin dokumentieren

review-title = Prüfung nach Ausnahmen
review-whole-record = Das gesamte Chargenprotokoll
review-printable = Druckbares Protokoll
review-decided = Entscheidung getroffen
review-ready = Nichts steht der Zertifizierung entgegen: Sie können diese Charge freigeben.
review-not-ready = Diese Charge kann jetzt nicht freigegeben werden:
review-exceptions = Ausnahmen im Protokoll
review-no-exceptions = Keine Ausnahmen: Jeder Schritt und jedes QK-Ergebnis ist vollständig, verifiziert und innerhalb der Grenzen.
review-kind = Art
review-description = Was das Protokoll zeigt
review-entry = Ledger-Eintrag
review-decide = Ihre Entscheidung

exception-missing_step = Schritt nicht dokumentiert
exception-missing_verification = Verifizierung fehlt
exception-missing_result = QK-Ergebnis fehlt
exception-unverified_result = QK-Ergebnis nicht verifiziert
exception-deviation = Abweichung
exception-out_of_range = Außerhalb des Bereichs
exception-oos = Außerhalb der Spezifikation
exception-correction = Korrektur
exception-late_entry = Verspäteter Eintrag
exception-hold = Sperre
exception-coi_mismatch = Identität stimmt nicht überein
exception-rejected_lot = Zurückgewiesene Materialcharge

release-decide-released = Freigeben
release-decide-rejected = Zurückweisen
release-decide-released_exceptionally = Ausnahmsweise freigeben
release-intro-released = Sie bestätigen, dass diese Charge nach dem genehmigten Verfahren und den Spezifikationen hergestellt und geprüft wurde.
release-intro-rejected = Sie weisen diese Charge zurück: Sie wird dem Patienten nicht verabreicht. Geben Sie den Grund an.
release-intro-released_exceptionally = Sie geben ein Produkt außerhalb der Spezifikation auf die unterschriebene Anforderung des behandelnden Arztes frei. Geben Sie Ihre Begründung an.
release-justification = Begründung
release-sign-released = Freigabe unterschreiben
release-sign-rejected = Zurückweisung unterschreiben
release-sign-released_exceptionally = Ausnahmefreigabe unterschreiben
physician-request = Anforderung des Arztes

physician-request-title = Ausnahmefreigabe anfordern
physician-request-intro = Als behandelnder Arzt fordern Sie an, dass Ihr Patient dieses Produkt außerhalb der Spezifikation dennoch erhält. Die Ergebnisse, über die Sie informiert wurden, sind unten aufgeführt.
physician-request-reason = Warum dieser Patient dieses Produkt erhalten soll
physician-request-risk = Ich wurde über die Ergebnisse außerhalb der Spezifikation informiert und akzeptiere das Risiko

ship-title = An das Behandlungszentrum versenden
ship-intro = Das Produkt reist in einem Trockenversandbehälter mit einem Temperaturlogger. Scannen oder tippen Sie deren Kennungen.
ship-shipper = Trockenversandbehälter
ship-container = Behälter
ship-logger = Temperaturlogger
ship-dispatched-at = Versandt am

receive-title = Sendung { $shipment } annehmen
receive-intro = Lesen Sie den Logger ab und prüfen Sie den Behälter, bevor Sie unterschreiben. Eine Temperatur über dem Grenzwert oder ein beschädigter Behälter eröffnet eine Abweichung, die die Infusion sperrt.
receive-at = Angenommen am
receive-min = Niedrigster Messwert des Loggers
receive-max = Höchster Messwert des Loggers
receive-max-hint = Wie der Logger ihn anzeigt, z. B. -160,5
receive-intact = Ist der Behälter unversehrt?

bedside-title = Identitätsprüfung am Bett
bedside-first-intro = Zwei Kliniker prüfen den Produktbeutel gegen das Armband des Patienten. Sie lesen zuerst; danach liest ein zweiter Kliniker beides erneut und unterschreibt als Zeuge.
bedside-witness-intro = { $clinician } hat Beutel und Armband gelesen. Lesen Sie beides selbst erneut und unterschreiben Sie als Zeuge.
bedside-scan-intro = Scannen Sie zuerst das Etikett des Beutels, dann das Armband des Patienten.
bedside-product = Identitätskette auf dem Produktbeutel
bedside-product-hint = Scannen Sie den Barcode auf dem Etikett des Beutels oder tippen Sie die aufgedruckte Kennung.
bedside-wristband = Identitätskette auf dem Armband des Patienten
bedside-wristband-hint = Scannen Sie das Armband des Patienten zuletzt.

stop-title = STOPP — NICHT INFUNDIEREN
stop-do-not-infuse = Produktbeutel und Armband des Patienten tragen nicht beide die Identitätskette dieser Charge. Schließen Sie dieses Produkt nicht an und infundieren Sie es nicht.
stop-expected = Identitätskette dieser Charge
stop-next-heading = Was jetzt geschieht
stop-next-1 = Lassen Sie den Beutel verschlossen und bleiben Sie beim Patienten. Nicht infundieren.
stop-next-2 = Die Ablesung ist als Sicherheitsereignis dokumentiert und die Qualitätssicherung (QS) ist alarmiert. Nichts wurde als geprüft dokumentiert, und jede frühere Prüfung zählt nicht mehr.
stop-next-3 = Finden Sie den richtigen Beutel und Patienten. Die Infusion erfordert eine neue, bestandene Prüfung durch zwei Personen.
stop-new-check = Neue Prüfung am Bett beginnen
stop-to-batch = Zurück zur Charge

infusion-title = Infusion
infusion-intro = Dokumentieren Sie die Infusion nach einer bestandenen Prüfung am Bett durch zwei Personen. Die Charge wird dann abgeschlossen; es folgen nur Nachsorgetermine.
infusion-thaw = Auftauen begonnen am
infusion-start = Infusion begonnen am
infusion-end = Infusion beendet am
infusion-bags = Infundierte Beutel
infusion-dose = Dosis
infusion-dose-hint = CAR+ T-Zellen pro kg Körpergewicht, z. B. 1,0e6
infusion-premedication = Prämedikation
infusion-reactions = Sofortreaktionen
infusion-reactions-hint = „keine“ oder was beobachtet wurde (z. B. CRS Grad 1)

follow-up-title = Nachsorgetermin
follow-up-intro = Bisher dokumentierte Termine: { $visits }. Die Nachsorge dauert 15 Jahre nach der Infusion.
follow-up-visit = Termin { $visit }
follow-up-date = Datum des Termins
follow-up-disease = Krankheitsstatus
follow-up-immunosuppression = Immunsuppression
follow-up-adverse = Unerwünschte Ereignisse
follow-up-adverse-hint = Eines pro Zeile: der Begriff, ein Semikolon, dann der CTCAE-Grad (1 bis 5), z. B. „Zytokin-Freisetzungssyndrom; 2“.
follow-up-adverse-line = Schreiben Sie diese Zeile als Begriff, Semikolon und Grad von 1 bis 5: { $line }
follow-up-malignancy = Eine sekundäre Neoplasie?
follow-up-notes = Notizen
