# Dopo la produzione: revisione e decisione della persona qualificata, richiesta del medico, spedizione, reparto.
optional = facoltativo
work-nothing-here = Niente al momento.
work-awaiting-release = In attesa della Sua decisione di rilascio
work-to-ship = Rilasciati, da spedire
work-on-the-ward = Spediti al reparto o in reparto

next-review = Revisione per eccezioni
next-physician-request = Richiedere il rilascio eccezionale
next-ship = Spedire al centro di trattamento
next-receive = Ricevere la spedizione
next-bedside = Controllo d'identità al letto
next-infusion = Registrare l'infusione
next-follow-up = Registrare una visita di follow-up

review-title = Revisione per eccezioni
review-whole-record = L'intero record del lotto
review-printable = Record stampabile
review-decided = Decisione presa
review-ready = Nulla impedisce la certificazione: può rilasciare questo lotto.
review-not-ready = Questo lotto non può essere rilasciato ora:
review-exceptions = Eccezioni nel record
review-no-exceptions = Nessuna eccezione: ogni fase e ogni risultato CQ è completo, verificato ed entro i limiti.
review-kind = Tipo
review-description = Cosa mostra il record
review-entry = Voce del registro
review-decide = La Sua decisione

exception-missing_step = Fase non registrata
exception-missing_verification = Verifica mancante
exception-missing_result = Risultato CQ mancante
exception-unverified_result = Risultato CQ non verificato
exception-deviation = Deviazione
exception-out_of_range = Fuori intervallo
exception-oos = Fuori specifica
exception-correction = Correzione
exception-late_entry = Registrazione tardiva
exception-hold = Blocco
exception-coi_mismatch = Identità non corrispondente
exception-rejected_lot = Lotto di materiale respinto

release-decide-released = Rilasciare
release-decide-rejected = Respingere
release-decide-released_exceptionally = Rilasciare in via eccezionale
release-intro-released = Lei certifica che questo lotto è stato prodotto e controllato come richiedono il processo e le specifiche approvati.
release-intro-rejected = Lei respinge questo lotto: non sarà somministrato al paziente. Indichi il motivo.
release-intro-released_exceptionally = Lei rilascia un prodotto fuori specifica su richiesta firmata del medico curante. Indichi la Sua giustificazione.
release-justification = Giustificazione
release-sign-released = Firmare il rilascio
release-sign-rejected = Firmare il rifiuto
release-sign-released_exceptionally = Firmare il rilascio eccezionale
physician-request = Richiesta del medico

physician-request-title = Richiedere il rilascio eccezionale
physician-request-intro = Come medico curante Lei chiede che questo prodotto fuori specifica sia comunque somministrato al Suo paziente. I risultati di cui è stato informato sono elencati qui sotto.
physician-request-reason = Perché questo paziente dovrebbe ricevere questo prodotto
physician-request-risk = Sono stato informato dei risultati fuori specifica e accetto il rischio

ship-title = Spedire al centro di trattamento
ship-intro = Il prodotto parte in un dry shipper con un registratore di temperatura. Scansioni o digiti i loro identificativi.
ship-shipper = Dry shipper
ship-container = Contenitore
ship-logger = Registratore di temperatura
ship-dispatched-at = Spedito il

receive-title = Ricevere la spedizione { $shipment }
receive-intro = Legga il registratore e controlli il contenitore prima di firmare. Una temperatura oltre il limite o un contenitore danneggiato apre una deviazione che blocca l'infusione.
receive-at = Ricevuto il
receive-min = Lettura minima del registratore
receive-max = Lettura massima del registratore
receive-max-hint = Come la mostra il registratore, ad es. -160,5
receive-intact = Il contenitore è integro?

bedside-title = Controllo d'identità al letto
bedside-first-intro = Due clinici confrontano la sacca del prodotto con il braccialetto del paziente. Lei legge per primo; poi un secondo clinico rilegge entrambi e firma come testimone.
bedside-witness-intro = { $clinician } ha letto la sacca e il braccialetto. Li rilegga entrambi e firmi come testimone.
bedside-scan-intro = Scansioni prima l'etichetta della sacca, poi il braccialetto del paziente.
bedside-product = Catena d'identità sulla sacca del prodotto
bedside-product-hint = Scansioni il codice a barre dell'etichetta della sacca o digiti l'identificativo stampato.
bedside-wristband = Catena d'identità sul braccialetto del paziente
bedside-wristband-hint = Scansioni per ultimo il braccialetto del paziente.

stop-title = STOP — NON INFONDERE
stop-do-not-infuse = La sacca del prodotto e il braccialetto del paziente non riportano entrambi la catena d'identità di questo lotto. Non colleghi e non infonda questo prodotto.
stop-expected = Catena d'identità di questo lotto
stop-next-heading = Cosa succede ora
stop-next-1 = Tenga chiusa la sacca e resti con il paziente. Non infonda.
stop-next-2 = La lettura è registrata come evento di sicurezza e l'assicurazione qualità è allertata. Nulla è stato registrato come controllato e ogni controllo precedente non vale più.
stop-next-3 = Trovi la sacca e il paziente giusti. L'infusione richiede un nuovo controllo a due persone superato.
stop-new-check = Iniziare un nuovo controllo al letto
stop-to-batch = Torna al lotto

infusion-title = Infusione
infusion-intro = Registri l'infusione dopo un controllo al letto a due persone superato. Il lotto si chiude; seguono solo le visite di follow-up.
infusion-thaw = Scongelamento iniziato il
infusion-start = Infusione iniziata il
infusion-end = Infusione terminata il
infusion-bags = Sacche infuse
infusion-dose = Dose
infusion-dose-hint = Cellule CAR+ T per kg di peso corporeo, ad es. 1,0e6
infusion-premedication = Premedicazione
infusion-reactions = Reazioni immediate
infusion-reactions-hint = "nessuna", o ciò che si è osservato (ad es. CRS di grado 1)

follow-up-title = Visita di follow-up
follow-up-intro = Visite registrate finora: { $visits }. Il follow-up dura 15 anni dopo l'infusione.
follow-up-visit = Visita { $visit }
follow-up-date = Data della visita
follow-up-disease = Stato della malattia
follow-up-immunosuppression = Immunosoppressione
follow-up-adverse = Eventi avversi
follow-up-adverse-hint = Uno per riga: il termine, un punto e virgola, poi il grado CTCAE (da 1 a 5), ad es. "sindrome da rilascio di citochine; 2".
follow-up-adverse-line = Scriva questa riga come termine, punto e virgola e grado da 1 a 5: { $line }
follow-up-malignancy = Una neoplasia secondaria?
follow-up-notes = Note
