### Meldungen zu den Ablehnungscodes des Dienstes (der `code` des Problems), eine je Code:
### `refusal-<code>`. Sie sagen, was abgelehnt wurde und was als Nächstes zu tun ist; die
### englische Detailangabe des Servers erscheint getrennt unter „Details“. Die Codes stehen in
### REFUSAL_CODES.

## Ersatzmeldung für einen Code ohne eigene Meldung

refusal-generic = Die Anfrage wurde abgelehnt. Lesen Sie die Details unten, korrigieren Sie das Genannte und versuchen Sie es erneut.

## Anmeldung und Sitzungen

refusal-invalid_credentials = Benutzername oder Passwort ist falsch. Prüfen Sie beides und versuchen Sie es erneut.
refusal-missing_token = Sie sind nicht angemeldet. Melden Sie sich an, um fortzufahren.
refusal-invalid_token = Ihre Anmeldung ist nicht mehr gültig oder abgelaufen. Melden Sie sich erneut an.
refusal-session_ended = Ihre Sitzung wurde beendet. Melden Sie sich erneut an.
refusal-account_busy = Dieses Konto änderte sich, während es gelesen wurde. Von Ihnen wurde nichts erfasst; bitte versuchen Sie es erneut.
refusal-account_locked = Ihr Konto ist nach wiederholt falschen Passwörtern gesperrt. Warten Sie, bis die Sperre endet, oder bitten Sie einen Administrator, es zu entsperren.
refusal-too_many_attempts = Es gab zu viele Passwortversuche. Warten Sie einen Moment, bevor Sie es erneut versuchen.
refusal-password_change_required = Ein vorläufiges Passwort muss zuerst vom Inhaber des Kontos ersetzt werden. Wenn es Ihr Konto ist, ändern Sie jetzt Ihr Passwort; andernfalls bitten Sie den Benutzer darum.
refusal-forbidden = Ihre Rolle erlaubt diese Aktion nicht. Wenn Sie sie für Ihre Arbeit benötigen, wenden Sie sich an einen Administrator.

## Die Anfrage selbst

refusal-bad_request = Die Anfrage konnte nicht gelesen werden. Prüfen Sie Ihre Eingaben und versuchen Sie es erneut.
refusal-not_found = Die angeforderte Seite oder das Element existiert nicht. Prüfen Sie die Adresse oder gehen Sie zurück und wählen Sie es aus der Liste.
refusal-method_not_allowed = Diese Aktion ist hier nicht verfügbar. Laden Sie die Seite neu und versuchen Sie es erneut.
refusal-payload_too_large = Die gesendeten Daten sind größer, als der Server annimmt. Verwenden Sie eine kleinere Datei oder einen kürzeren Text.
refusal-uri_too_long = Die Adresse ist zu lang. Kürzen Sie Ihre Suche oder Ihren Filter und versuchen Sie es erneut.
refusal-internal_error = Der Server konnte die Anfrage nicht ausführen; es wurde nichts aufgezeichnet. Versuchen Sie es später erneut und wenden Sie sich an den Systemadministrator, wenn es wieder auftritt.

## Jemand anderes hat den Datensatz gleichzeitig geändert

refusal-precondition_failed = Der Datensatz hat sich geändert, seit Sie ihn geöffnet haben; von Ihren Eingaben wurde nichts aufgezeichnet. Laden Sie ihn neu, prüfen Sie die Änderungen und geben Sie Ihre Daten erneut ein, falls sie noch zutreffen.
refusal-stale = Jemand anderes hat im selben Moment in diesem Datensatz erfasst; von Ihren Eingaben wurde nichts aufgezeichnet. Laden Sie den Datensatz neu und entscheiden Sie erneut anhand dessen, was er jetzt zeigt.
refusal-request_in_progress = Eine frühere Übermittlung dieser Anfrage läuft noch oder wurde unterbrochen. Laden Sie den Datensatz neu und prüfen Sie, ob sie aufgezeichnet wurde, bevor Sie erneut senden.
refusal-idempotency_key_reused = Diese Übermittlung wurde bereits für eine andere Anfrage verwendet. Laden Sie die Seite neu und senden Sie erneut.

## Ledger, Audit-Trail, Checkpoints und Exporte

refusal-invalid_proof_request = Das Ledger kann diesen Nachweis für die angefragten Einträge nicht liefern. Prüfen Sie die Eintragsnummern und die Größe des Checkpoints.
refusal-merkle_tree_behind = Der Integritätsindex des Ledgers wird gerade aktualisiert. Versuchen Sie es in einem Moment erneut.
refusal-checkpoint_inconsistent = Der Ledger-Checkpoint wurde nicht signiert, weil er nicht mit dem vorherigen übereinstimmt. Informieren Sie sofort den Systemadministrator und die QA: Die Datenbank muss vor jedem weiteren Checkpoint untersucht werden.
refusal-ledger_unverified = Der Ledger wurde nicht verifiziert: Er enthält etwas, das cartrec nicht geschrieben hat, oder etwas Geschriebenes fehlt oder wurde verändert. Bis zur Untersuchung und bis der Ledger wieder verifiziert ist, kann nichts erfasst oder signiert werden. Von Ihnen wurde nichts erfasst. Informieren Sie sofort die QA und den Systemadministrator.
refusal-no_ledger_incident = Diese Instanz vertraut ihrem Ledger: Es gibt keinen Vorfall zu erfassen.
refusal-ledger_incident_open = Der Ledger verifiziert wieder, aber das Schreiben wird erst fortgesetzt, wenn die QA den Vorfall erfasst und ein Administrator ihn bestätigt hat. Bis dahin werden nur Anmeldungen und der Vorfallsbericht angenommen. Von Ihnen wurde nichts erfasst.
refusal-ledger_still_unverified = Der Ledger verifiziert noch nicht: Stellen Sie ihn aus einer Sicherung wieder her oder berichtigen Sie die geänderte Zeile, und verifizieren Sie ihn erneut, bevor Sie den Vorfall erfassen.
refusal-incident_recorder_not_qa = Nur die QA erfasst einen Ledger-Vorfall.
refusal-incident_confirmer_not_admin = Ein Ledger-Vorfall wird von einem Administrator bestätigt.
refusal-incident_not_recorded = Die QA hat diesen Vorfall noch nicht erfasst.
refusal-incident_already_recorded = Dieser Vorfall ist bereits erfasst; ein Administrator bestätigt ihn.
refusal-incident_already_confirmed = Dieser Vorfall ist bereits bestätigt.
refusal-incident_confirmer_recorded_it = Eine zweite Person bestätigt den Vorfall: Sie haben ihn erfasst.
refusal-invalid_cause = Beschreiben Sie die Ursache in einer Zeile mit 1 bis 2000 druckbaren Zeichen.
refusal-invalid_actions = Beschreiben Sie das Getane in einer Zeile mit 1 bis 2000 druckbaren Zeichen.
refusal-ledger_head_mismatch = Die Sperrzeile des Ledgers wurde außerhalb von cartrec verändert. Bis zur Untersuchung kann nichts erfasst oder signiert werden. Von Ihnen wurde nichts erfasst. Informieren Sie sofort die QA und den Systemadministrator.
refusal-merkle_node_conflict = Der Integritätsindex des Ledgers enthält einen Wert, den cartrec nicht geschrieben hat. Bis zur Untersuchung kann nichts erfasst oder signiert werden. Von Ihnen wurde nichts erfasst. Informieren Sie sofort die QA und den Systemadministrator.
refusal-no_checkpoint = Es wurde noch kein Ledger-Checkpoint signiert. Versuchen Sie es erneut, sobald der erste Checkpoint signiert ist.
refusal-checkpoint_not_found = Es wurde kein Ledger-Checkpoint dieser Größe signiert. Wählen Sie einen der signierten Checkpoints.
refusal-checkpoint_precedes_batch = Der gewählte Checkpoint wurde signiert, bevor diese Charge angelegt wurde, und kann sie daher nicht abdecken. Wählen Sie einen späteren Checkpoint oder exportieren Sie, ohne einen zu wählen.
refusal-no_such_tile = Das Ledger enthält noch nicht genug Einträge für diesen Teil des Protokolls. Prüfen Sie die Anfrage.
refusal-entry_too_large_for_bundle = Dieser Ledger-Eintrag ist zu groß, um in ein Paket aufgenommen zu werden. Lesen Sie ihn einzeln aus der Liste der Ledger-Einträge.
refusal-audit_download_too_large = Zu viele Audit-Trail-Einträge passen, um sie auf einmal herunterzuladen. Schränken Sie den Filter ein, zum Beispiel auf einen kürzeren Zeitraum.

## Benutzerkonten und Rollen

refusal-user_not_found = Es gibt keinen Benutzer mit diesem Benutzernamen. Prüfen Sie die Schreibweise.
refusal-username_taken = Dieser Benutzername ist bereits vergeben, und Benutzernamen werden nie wiederverwendet. Wählen Sie einen anderen.
refusal-invalid_username = Der Benutzername ist ungültig. Verwenden Sie 3 bis 64 Kleinbuchstaben, Ziffern, '.', '_' oder '-', beginnend mit einem Buchstaben.
refusal-reserved_username = Dieser Benutzername ist vom System reserviert. Wählen Sie einen anderen.
refusal-invalid_full_name = Der vollständige Name ist ungültig. Geben Sie 2 bis 200 Zeichen ohne unsichtbare oder Steuerzeichen ein.
refusal-invalid_role = Eine der Rollen ist unbekannt. Wählen Sie die Rollen aus der angebotenen Liste.
refusal-no_roles = Ein Konto braucht mindestens eine Rolle. Wählen Sie eine Rolle aus.
refusal-incompatible_roles = Ein Administrator oder Auditor darf mit demselben Konto keine GMP-Daten erfassen oder unterschreiben. Wählen Sie Rollen, die diese Aufgaben trennen.
refusal-own_account = Sie können dies nicht für Ihr eigenes Konto tun. Bitten Sie eine andere berechtigte Person darum.
refusal-own_roles = Sie können Ihre eigenen Rollen nicht ändern. Wenden Sie sich an einen anderen Administrator.
refusal-account_inactive = Dieses Benutzerkonto ist deaktiviert; seine Rollen können daher weder geändert noch genehmigt werden.
refusal-already_inactive = Dieses Benutzerkonto ist bereits deaktiviert. Es ist nichts weiter zu tun.
refusal-not_locked = Dieses Benutzerkonto ist nicht gesperrt. Es gibt nichts zu entsperren.
refusal-nothing_pending = Für diesen Benutzer warten keine Rollen auf Genehmigung. Es gibt nichts zu genehmigen.
refusal-not_acknowledged = Der Benutzer hat seine elektronische Unterschrift noch nicht bestätigt. Seine Rollen können erst danach genehmigt werden.
refusal-already_acknowledged = Sie haben Ihre elektronische Unterschrift bereits bestätigt. Es ist nichts weiter zu tun.
refusal-approver_requested_roles = Sie haben dieses Konto angelegt oder diese Rollen beantragt und können sie daher nicht genehmigen. Eine andere berechtigte Person muss die Identität des Benutzers bestätigen und die Rollen genehmigen.
refusal-approver_role = Ihre Rolle kann diese Rollen nicht genehmigen: Administratorrollen genehmigt ein anderer Administrator, alle anderen Rollen die QA. Wenden Sie sich an eine Person mit dieser Rolle.

## Passwörter

refusal-wrong_password = Ihr aktuelles Passwort ist falsch. Geben Sie es erneut ein.
refusal-weak_password = Das neue Passwort erfüllt die Passwortregeln nicht. Wählen Sie ein längeres Passwort, das weder Ihren Namen noch Ihren Benutzernamen enthält, zum Beispiel mehrere unzusammenhängende Wörter.
refusal-password_reused = Sie haben dieses Passwort kürzlich verwendet. Wählen Sie ein Passwort, das Sie noch nicht verwendet haben.
refusal-password_not_accepted = Das vorläufige Passwort wird vom System erzeugt und darf nicht eingegeben werden. Lassen Sie das Passwortfeld leer.

## Elektronische Unterschriften

refusal-signature_password_wrong = Das Passwort für Ihre elektronische Unterschrift ist falsch; es wurde nichts unterschrieben. Geben Sie Ihr Passwort erneut ein.
refusal-signature_expired = Ihre Passwortbestätigung ist zu alt; es wurde nichts unterschrieben. Unterschreiben Sie erneut.
refusal-wrong_meaning = Die Bedeutung dieser Unterschrift passt nicht zu dieser Aktion. Unterschreiben Sie erneut mit der Bedeutung, die die Aktion verlangt.
refusal-meaning_needs_its_action = Eine Unterschrift mit dieser Bedeutung wird mit der Freigabeentscheidung der Charge geleistet, nicht an einem einzelnen Eintrag. Verwenden Sie stattdessen die Freigabeentscheidung.
refusal-sign_through_its_action = Einträge dieser Art werden über ihre eigene Aktion unterschrieben (Erfassen, Verifizieren, Genehmigen oder Freigeben), bei der ihre Regeln geprüft werden. Verwenden Sie stattdessen diese Aktion.
refusal-nothing_to_sign = Es gibt keinen Eintrag zu unterschreiben. Wählen Sie zuerst den Eintrag aus.
refusal-signature_spans_streams = Eine elektronische Unterschrift kann nur Einträge eines einzigen Datensatzes unterschreiben. Unterschreiben Sie jeden Datensatz einzeln.
refusal-cannot_sign_signature = Eine Unterschrift kann nicht selbst unterschrieben werden. Unterschreiben Sie stattdessen den Eintrag, zu dem sie gehört.
refusal-performer_is_not_author = Nur die Person, die diesen Eintrag erfasst hat, kann ihn als durchgeführt unterschreiben. Wenn Sie ihn prüfen, unterschreiben Sie ihn stattdessen als verifiziert.
refusal-already_signed = Sie haben diesen Eintrag bereits mit dieser Bedeutung unterschrieben. Eine weitere Unterschrift ist nicht nötig.
refusal-verifier_took_part = Sie haben diesen Eintrag erfasst oder bereits unterschrieben und können ihn daher nicht verifizieren. Bitten Sie eine Kollegin oder einen Kollegen, ihn zu verifizieren.
refusal-nothing_recorded = Es wurde nichts aufgezeichnet, daher gibt es nichts zu unterschreiben. Laden Sie den Datensatz neu und prüfen Sie Ihre Eingabe.

## Vorlagen (Master-Chargendokumentation)

refusal-template_not_found = Diese Vorlage oder Vorlagenversion existiert nicht. Prüfen Sie Code und Version.
refusal-template_not_approved = Diese Vorlage hat keine von der QA genehmigte Version; daher kann keine Charge damit begonnen werden. Bitten Sie die QA, eine Version zu genehmigen.
refusal-template_not_draft = Nur der aktuelle Entwurf einer Vorlage kann genehmigt werden, und diese Version ist es nicht. Laden Sie die Vorlage neu, um ihre Versionen zu sehen.
refusal-template_version_exists = Diese Vorlage hat bereits diese oder eine neuere Version. Geben Sie dem neuen Entwurf eine höhere Versionsnummer.
refusal-approver_imported_template = Sie haben diese Vorlagenversion importiert und können sie daher nicht genehmigen. Eine andere Person der QA muss sie prüfen und genehmigen.
refusal-invalid_template = Die Vorlage ist ungültig. Korrigieren Sie den in den Details genannten Teil und importieren Sie sie erneut.

## Materialien, Materialchargen und Geräte

refusal-invalid_material = Der Materialname ist ungültig. Verwenden Sie 2 bis 64 Kleinbuchstaben, Ziffern oder '_', beginnend mit einem Buchstaben.
refusal-invalid_lot_number = Die Chargennummer des Materials ist ungültig. Verwenden Sie 1 bis 64 Buchstaben, Ziffern, '.', '_' oder '-'.
refusal-invalid_supplier = Der Lieferant ist ungültig. Geben Sie 1 bis 200 Zeichen ohne unsichtbare oder Steuerzeichen ein.
refusal-invalid_attachment = Der Verweis auf das Zertifikat ist ungültig. Laden Sie das Zertifikat erneut hoch und verwenden Sie den Verweis, den das Hochladen liefert.
refusal-lot_not_found = Es gibt keine Materialcharge mit dieser ID. Prüfen Sie die ID oder registrieren Sie die Materialcharge zuerst.
refusal-lot_unknown = Die eingegebene Materialcharge ist nicht registriert. Prüfen Sie die Charge auf dem Etikett oder lassen Sie sie zuerst registrieren und von der QA freigeben.
refusal-lot_wrong_material = Die eingegebene Materialcharge gehört zu einem anderen Material, als dieses Feld verlangt. Prüfen Sie das Etikett und verwenden Sie eine Charge des richtigen Materials.
refusal-lot_in_quarantine = Die Materialcharge ist noch in Quarantäne: Die QA hat sie nicht freigegeben. Verwenden Sie eine freigegebene Charge oder bitten Sie die QA, diese freizugeben.
refusal-lot_rejected = Die Materialcharge wurde von der QA zurückgewiesen und darf nicht verwendet werden. Verwenden Sie eine freigegebene Charge und legen Sie diese beiseite.
refusal-lot_expired = Die Materialcharge ist verfallen und darf nicht verwendet werden. Verwenden Sie eine freigegebene Charge innerhalb ihres Verfallsdatums.
refusal-lot_status = Der aktuelle Status der Materialcharge lässt diese Entscheidung nicht zu. Laden Sie die Charge neu, um ihren Status zu sehen.
refusal-equipment_not_found = Es gibt kein Gerät mit dieser ID. Prüfen Sie die ID.
refusal-equipment_unknown = Das eingegebene Gerät ist nicht registriert. Prüfen Sie die ID auf dem Etikett des Geräts.
refusal-equipment_exists = Ein Gerät mit dieser ID ist bereits registriert, und IDs werden nie wiederverwendet. Prüfen Sie die ID oder wählen Sie eine neue.
refusal-equipment_out_of_calibration = Die Kalibrierung des Geräts ist überfällig; es darf nicht verwendet werden. Verwenden Sie ein kalibriertes Gerät und lassen Sie dieses kalibrieren.
refusal-invalid_equipment_id = Die Geräte-ID ist ungültig. Verwenden Sie 1 bis 64 Buchstaben, Ziffern, '.', '_' oder '-'.
refusal-invalid_equipment_kind = Der Gerätetyp ist ungültig. Geben Sie 1 bis 100 Zeichen ohne unsichtbare oder Steuerzeichen ein.
refusal-invalid_calibration = Die Kalibrierdaten sind ungültig: Eine Kalibrierung kann nicht in der Zukunft liegen, und die nächste muss danach fällig sein. Prüfen Sie die Daten.
refusal-attachment_not_found = Die angeforderte Datei existiert nicht. Prüfen Sie den Verweis oder laden Sie die Datei erneut hoch.
refusal-attachment_unknown = Die in diesem Feld genannte Datei wurde nicht hochgeladen. Laden Sie zuerst die Datei hoch und erfassen Sie dann den Schritt.

## Anlegen einer Charge und Identitätskette

refusal-batch_not_found = Es gibt keine Charge mit dieser Nummer. Prüfen Sie die Chargennummer.
refusal-invalid_patient_code = Der Patientencode ist ungültig. Geben Sie den pseudonymen Code der Entnahmeeinrichtung ein (3 bis 32 Buchstaben, Ziffern oder '-'), niemals den Namen des Patienten.
refusal-invalid_date_of_birth = Das Geburtsdatum ist ungültig. Geben Sie ein Datum zwischen 1900 und heute ein.
refusal-invalid_patient_weight = Das Gewicht des Patienten ist ungültig. Geben Sie das Gewicht in Kilogramm ein, mehr als 0 und höchstens 400.
refusal-invalid_treating_site = Das behandelnde Zentrum ist ungültig. Geben Sie 1 bis 100 Zeichen ohne unsichtbare oder Steuerzeichen ein.
refusal-coi_in_use = Diese Kennung der Identitätskette gehört bereits zu einer anderen Charge; zwei Chargen teilen nie eine Kennung. Klären Sie die Kennung mit der Entnahmeeinrichtung.
refusal-coi_required = Dieser Schritt bestätigt die Identitätskette erneut. Scannen oder tippen Sie die Kennung vom Etikett der Charge.
refusal-invalid_coi = Das Gelesene ist keine gültige Kennung der Identitätskette. Fahren Sie nicht fort: Lesen Sie die Kennung erneut vom Etikett oder Armband; am Patientenbett nicht infundieren, bis eine neue Prüfung durch zwei Personen bestanden ist.
refusal-coi_check_character = Das Prüfzeichen der Kennung der Identitätskette stimmt nicht. Lesen Sie die Kennung erneut vom Etikett.
refusal-coi_mismatch = STOPP: Die Kennung passt nicht zur Identitätskette dieser Charge; das Material könnte zu einem anderen Patienten gehören. Fahren Sie nicht fort und infundieren Sie nicht; die QA wurde alarmiert.
refusal-invalid_coi_year = Für dieses Jahr kann keine Kennung der Identitätskette vergeben werden. Wenden Sie sich an den Systemadministrator.
refusal-invalid_coi_sequence = Dieser Standort hat seine Kennungen der Identitätskette für dieses Jahr aufgebraucht. Wenden Sie sich an den Systemadministrator.
refusal-invalid_facility_id = Die konfigurierte Einrichtungskennnummer (FIN) des Standorts ist ungültig. Wenden Sie sich an den Systemadministrator.
refusal-corrupt_batch = Der Chargendatensatz konnte nicht gelesen werden, weil er widersprüchlich ist. Erfassen Sie nichts mehr darin und informieren Sie die QA und den Systemadministrator.

## Erfassen und Verifizieren von Schritten

refusal-step_not_found = Dieser Schritt existiert in der Vorlage der Charge nicht. Laden Sie die Charge neu und wählen Sie einen ihrer Schritte.
refusal-step_out_of_order = Schritte werden in der Reihenfolge der Vorlage erfasst: Ein früherer Schritt ist noch nicht erfasst oder ein späterer hat bereits begonnen. Erfassen Sie die Schritte der Reihe nach; um einen abgeschlossenen Schritt zu ändern, erfassen Sie eine Korrektur.
refusal-step_already_recorded = Dieser Schritt ist bereits erfasst. Um einen Wert zu ändern, erfassen Sie eine Korrektur.
refusal-unknown_field = Die Eingabe enthält ein Feld, das dieser Schritt nicht hat. Laden Sie die Seite neu und geben Sie die Werte erneut ein.
refusal-missing_value = Ein Pflichtfeld ist leer. Füllen Sie alle Pflichtfelder aus.
refusal-invalid_value = Ein Wert passt nicht zu seinem Feld. Prüfen Sie das in den Details genannte Feld und geben Sie den Wert erneut ein.
refusal-invalid_decimal = Die Zahl ist ungültig. Geben Sie eine einfache Dezimalzahl ein.
refusal-invalid_number = Eine Zahl fehlt oder ist ungültig. Geben Sie eine Dezimalzahl ein.
refusal-wrong_role = Ihre Rolle erlaubt Ihnen dies für diesen Schritt oder dieses Ergebnis nicht. Eine Person mit der erforderlichen Rolle muss es tun.
refusal-tested_batch = Sie haben QC-Ergebnisse dieser Charge erfasst oder verifiziert und können daher ihre Herstellungseinträge weder erfassen noch verifizieren oder korrigieren. Eine Person, die die Charge nicht geprüft hat, muss dies tun.
refusal-verification_not_required = Dieser Schritt wird nicht von einer zweiten Person verifiziert. Es ist nichts weiter zu tun.
refusal-record_not_found = Dieser Schritt hat keinen solchen Eintrag. Laden Sie die Charge neu und wählen Sie einen vorhandenen Eintrag.
refusal-self_verification = Sie haben dies durchgeführt, erfasst oder korrigiert und können es daher nicht verifizieren. Bitten Sie eine Kollegin oder einen Kollegen, es zu verifizieren.
refusal-already_verified = Dies wurde bereits verifiziert. Eine weitere Verifizierung ist nicht nötig.

## Korrekturen

refusal-not_performer = Nur die Person, die den Schritt durchgeführt hat, oder die QA kann seine Werte korrigieren. Bitten Sie diese, die Korrektur vorzunehmen.
refusal-no_change = Der neue Wert ist gleich dem aktuellen. Geben Sie einen anderen Wert ein oder brechen Sie die Korrektur ab.
refusal-correction_not_found = Diese Charge hat keine solche Korrektur. Laden Sie die Charge neu.
refusal-correction_not_awaiting_verification = Diese Korrektur braucht keine Verifizierung oder ist bereits verifiziert. Es ist nichts weiter zu tun.
refusal-correction_not_awaiting_approval = Diese Korrektur braucht keine Genehmigung der QA oder ist bereits genehmigt. Es ist nichts weiter zu tun.
refusal-approver_is_author = Sie haben diese Korrektur vorgenommen und können sie daher nicht genehmigen. Eine andere Person der QA muss sie genehmigen.
refusal-correction_pending = Eine Korrektur dieser Charge wartet noch auf Verifizierung oder Genehmigung durch die QA. Lassen Sie sie abschließen, bevor die sachkundige Person (QP) die Charge zertifiziert.

## Abweichungen, Anhalten und Abbruch

refusal-deviation_not_found = Diese Charge hat keine solche Abweichung. Laden Sie die Charge neu.
refusal-deviation_closed = Diese Abweichung ist bereits geschlossen und kann nicht mehr geändert werden.
refusal-deviation_not_classified = Die Abweichung muss klassifiziert werden (geringfügig, schwerwiegend oder kritisch), bevor sie geschlossen werden kann. Klassifizieren Sie sie zuerst.
refusal-open_deviation = Eine Abweichung dieser Charge ist noch offen. Die QA muss sie schließen, bevor die Charge zertifiziert oder infundiert werden kann.
refusal-batch_on_hold = Die Charge ist angehalten; daher kann nichts darin erfasst werden. Die QA muss sie zuerst fortsetzen.
refusal-batch_not_on_hold = Die Charge ist nicht angehalten; es gibt nichts fortzusetzen.
refusal-batch_terminated = Die Charge wurde abgebrochen; es kann nichts mehr darin erfasst werden.
refusal-batch_rejected = Die sachkundige Person (QP) hat diese Charge zurückgewiesen; es kann nichts mehr darin erfasst werden.
refusal-batch_infused = Die Charge wurde infundiert und ist abgeschlossen; es können nur noch Nachbeobachtungsvisiten erfasst werden.

## Qualitätskontrolle (QC)

refusal-qc_test_not_found = Die Vorlage der Charge enthält keinen solchen QC-Test. Laden Sie die Seite neu und wählen Sie einen der aufgeführten Tests.
refusal-analyst_made_batch = Sie waren an der Herstellung dieser Charge beteiligt und können daher ihre QC-Ergebnisse weder erfassen noch verifizieren. Eine Analytikerin oder ein Analytiker, die bzw. der nicht beteiligt war, muss dies tun.
refusal-manufacturing_incomplete = Noch nicht alle Herstellungsschritte dieser Charge sind erfasst. Erfassen Sie QC-Ergebnisse, sobald Ernte und Kryokonservierung erfasst sind.
refusal-result_already_recorded = Dieser Test hat bereits ein Ergebnis. Nur ein Ergebnis außerhalb der Spezifikation wird wiederholt geprüft; ein Tippfehler wird stattdessen korrigiert.
refusal-retest_reason_required = Das vorherige Ergebnis lag außerhalb der Spezifikation; eine Wiederholungsprüfung braucht daher eine Begründung. Geben Sie sie im Kommentar an, zum Beispiel die Untersuchung, die das Ergebnis für ungültig erklärt hat.
refusal-result_not_found = Dieser Test hat noch kein Ergebnis, das verifiziert werden könnte.
refusal-invalid_result = Das Ergebnis ist für diesen Test ungültig. Geben Sie eine Zahl ohne Einheit ein, oder pass bzw. fail, wie der Test es verlangt.
refusal-qc_incomplete = Ein QC-Test hat noch kein Ergebnis, oder sein Ergebnis ist nicht verifiziert. Schließen Sie die QC-Prüfung ab, bevor die Charge zertifiziert wird.
refusal-qc_not_independent = Ein QC-Ergebnis wurde von einer Person unterschrieben, die auch an der Herstellung dieser Charge beteiligt war; die QC ist damit nicht unabhängig. Informieren Sie die QA, bevor die Charge zertifiziert wird.

## Zertifizierung und Freigabe durch die sachkundige Person (QP)

refusal-record_incomplete = Ein Herstellungsschritt ist nicht erfasst oder noch nicht verifiziert. Erfassen und verifizieren Sie alle Schritte, bevor die Charge zertifiziert wird.
refusal-already_decided = Die sachkundige Person (QP) hat über diese Charge bereits entschieden, und der zugrunde liegende Datensatz ist abgeschlossen. Es kann nichts mehr geändert werden.
refusal-qp_took_part = Sie waren an den Einträgen dieser Charge beteiligt und können sie daher nicht zertifizieren. Eine andere sachkundige Person (QP) muss sie zertifizieren.
refusal-out_of_specification = Die Charge hat QC-Ergebnisse außerhalb der Spezifikation und kann daher nicht regulär freigegeben werden. Weisen Sie sie zurück oder geben Sie sie auf Anforderung der behandelnden Ärztin bzw. des behandelnden Arztes ausnahmsweise frei.
refusal-not_out_of_specification = Die Charge hat kein QC-Ergebnis außerhalb der Spezifikation; eine ärztliche Anforderung oder Ausnahmefreigabe kommt daher nicht in Betracht. Geben Sie sie regulär frei.
refusal-physician_request_missing = Eine Ausnahmefreigabe erfordert die unterschriebene Anforderung der behandelnden Ärztin bzw. des behandelnden Arztes, die diese Ergebnisse außerhalb der Spezifikation nennt. Holen Sie zuerst die Anforderung ein.
refusal-risk_not_acknowledged = Die behandelnde Ärztin bzw. der behandelnde Arzt muss bestätigen, über die Ergebnisse außerhalb der Spezifikation informiert worden zu sein und das Risiko für diesen Patienten zu akzeptieren. Setzen Sie das Häkchen bei der Bestätigung.
refusal-justification_required = Eine Zurückweisung oder Ausnahmefreigabe erfordert eine Begründung. Geben Sie die Begründung ein.

## Versand, Identitätsprüfung am Patientenbett und Infusion

refusal-not_released = Die Charge wurde nicht von einer sachkundigen Person (QP) zertifiziert; nur eine freigegebene Charge kann versandt werden.
refusal-shipment_in_transit = Eine Sendung dieser Charge ist noch unterwegs. Erfassen Sie ihren Empfang, bevor eine weitere Sendung abgeht.
refusal-shipment_not_found = Diese Charge hat keine solche Sendung. Laden Sie die Charge neu.
refusal-already_received = Der Empfang dieser Sendung ist bereits erfasst.
refusal-shipping_limit_missing = Die Vorlage der Charge nennt keine Temperaturgrenze für den Versand; der Empfang kann daher nicht bewertet werden. Die QA muss eine Vorlagenversion genehmigen, die eine nennt.
refusal-invalid_time = Eine eingegebene Zeit liegt in der Zukunft oder vor dem Ereignis, auf das sie folgt. Prüfen Sie die Zeiten und geben Sie sie erneut ein.
refusal-invalid_temperature = Die Temperatur ist ungültig. Geben Sie Grad Celsius zwischen -273,15 und 100 ein, wobei das Minimum nicht über dem Maximum liegt.
refusal-not_received = Die Charge ist noch nicht auf der Station eingegangen. Erfassen Sie zuerst den Empfang der Sendung.
refusal-bedside_check_pending = Eine Prüfung am Patientenbett wartet darauf, von einer zweiten Person des Behandlungsteams bezeugt zu werden. Diese muss sie bezeugen, bevor eine neue Prüfung beginnt.
refusal-no_check_to_witness = Keine Prüfung am Patientenbett wartet darauf, bezeugt zu werden. Die erste Person des Behandlungsteams muss die Prüfung zuerst durchführen.
refusal-same_clinician = Sie haben diese Prüfung am Patientenbett durchgeführt und können sie daher nicht bezeugen. Eine zweite Person des Behandlungsteams muss beide Kennungen erneut lesen.
refusal-bedside_check_required = Vor der Infusion müssen zwei Personen des Behandlungsteams am Patientenbett das Produktetikett und das Patientenarmband prüfen, ohne seitherige Abweichung. Führen Sie zuerst die Prüfung durch zwei Personen am Patientenbett durch.
refusal-invalid_bags = Die Anzahl der Beutel ist ungültig. Geben Sie 1 bis 20 ein.
refusal-invalid_dose = Die Dosis ist ungültig. Geben Sie die CAR-T-Zellen pro Kilogramm als positive Zahl ein.

## Nachbeobachtung

refusal-not_infused = Die Charge wurde nicht infundiert, und die Nachbeobachtung beginnt mit der Infusion.
refusal-invalid_visit_date = Das Visitendatum muss zwischen der Infusion und heute liegen. Prüfen Sie das Datum.
refusal-follow_up_period_over = Die 15-jährige Nachbeobachtung dieser Charge ist beendet. Es können keine weiteren Visiten erfasst werden.
refusal-invalid_adverse_event = Ein unerwünschtes Ereignis ist ungültig: Jedes braucht eine Bezeichnung mit höchstens 200 Zeichen und einen CTCAE-Grad von 1 bis 5, höchstens 50 je Visite. Prüfen Sie die unerwünschten Ereignisse.

## Freitextfelder (zu lang, leer oder mit unsichtbaren oder Steuerzeichen)

refusal-invalid_reason = Die Begründung fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut als einfachen Text ein.
refusal-invalid_comment = Der Kommentar ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie ihn erneut als einfachen Text ein.
refusal-invalid_justification = Die Begründung ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut als einfachen Text ein.
refusal-invalid_description = Die Beschreibung fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut als einfachen Text ein.
refusal-invalid_investigation = Die Untersuchung fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut als einfachen Text ein.
refusal-invalid_root_cause = Die Grundursache fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut als einfachen Text ein.
refusal-invalid_capa_ref = Die CAPA-Referenz fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut ein (höchstens 100 Zeichen).
refusal-invalid_shipper_id = Die ID des Dry Shippers fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut ein (höchstens 100 Zeichen).
refusal-invalid_container_id = Die Behälter-ID fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut ein (höchstens 100 Zeichen).
refusal-invalid_logger_id = Die ID des Temperaturloggers fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut ein (höchstens 100 Zeichen).
refusal-invalid_premedication = Die Prämedikation fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut ein (höchstens 500 Zeichen).
refusal-invalid_immediate_reactions = Die Angabe zu Sofortreaktionen fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut ein (höchstens 500 Zeichen).
refusal-invalid_disease_status = Der Krankheitsstatus fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie ihn erneut ein (höchstens 500 Zeichen).
refusal-invalid_immunosuppression = Die Angabe zur Immunsuppression fehlt, ist zu lang oder enthält unsichtbare oder Steuerzeichen. Geben Sie sie erneut ein (höchstens 500 Zeichen).
refusal-invalid_notes = Die Notizen sind zu lang oder enthalten unsichtbare oder Steuerzeichen. Geben Sie sie erneut ein (höchstens 2000 Zeichen).
