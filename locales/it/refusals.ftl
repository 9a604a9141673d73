### Messaggi per i codici di rifiuto del servizio (il `code` del problema), uno per codice:
### `refusal-<code>`. Dicono che cosa è stato rifiutato e che cosa fare; il dettaglio inglese
### del server è mostrato a parte sotto "Dettagli". I codici sono elencati in REFUSAL_CODES.

## Messaggio di riserva per un codice senza messaggio proprio

refusal-generic = La richiesta è stata rifiutata. Legga i dettagli qui sotto, corregga quanto indicato e riprovi.

## Accesso e sessioni

refusal-invalid_credentials = Nome utente o password errati. Li controlli e riprovi.
refusal-missing_token = Non ha effettuato l'accesso. Acceda per continuare.
refusal-invalid_token = Il Suo accesso non è più valido o è scaduto. Acceda di nuovo.
refusal-session_ended = La Sua sessione è terminata. Acceda di nuovo.
refusal-account_busy = Questo account stava cambiando mentre veniva letto. Nulla di suo è stato registrato; riprovi.
refusal-account_locked = Il Suo account è bloccato dopo ripetuti tentativi con password errata. Attenda la fine del blocco o chieda a un amministratore di sbloccarlo.
refusal-too_many_attempts = Troppi tentativi di inserimento della password. Attenda qualche istante prima di riprovare.
refusal-password_change_required = La password temporanea deve prima essere sostituita dal titolare dell'account. Se l'account è Suo, cambi ora la password; altrimenti chieda all'utente di farlo.
refusal-forbidden = Il Suo ruolo non consente questa operazione. Se Le serve per il Suo lavoro, si rivolga a un amministratore.

## La richiesta stessa

refusal-bad_request = Non è stato possibile leggere la richiesta. Controlli i dati inseriti e riprovi.
refusal-not_found = La pagina o l'elemento richiesto non esiste. Controlli l'indirizzo oppure torni indietro e lo scelga dall'elenco.
refusal-method_not_allowed = Questa operazione non è disponibile qui. Ricarichi la pagina e riprovi.
refusal-payload_too_large = I dati inviati superano le dimensioni accettate dal server. Usi un file più piccolo o un testo più breve.
refusal-uri_too_long = L'indirizzo è troppo lungo. Accorci la ricerca o il filtro e riprovi.
refusal-internal_error = Il server non ha potuto completare la richiesta e nulla è stato registrato. Riprovi più tardi; se il problema si ripete, contatti l'amministratore di sistema.

## Qualcun altro ha modificato la registrazione nello stesso momento

refusal-precondition_failed = La registrazione è cambiata da quando l'ha aperta e nulla di quanto da Lei inserito è stato registrato. La ricarichi, controlli che cosa è cambiato e reinserisca i dati se sono ancora validi.
refusal-stale = Qualcun altro ha inserito dati in questa registrazione nello stesso momento e nulla di quanto da Lei inserito è stato registrato. Ricarichi la registrazione e decida di nuovo in base a ciò che mostra ora.
refusal-request_in_progress = Un invio precedente di questa richiesta è ancora in corso o è stato interrotto. Ricarichi la registrazione per verificare se è stato registrato prima di inviare di nuovo.
refusal-idempotency_key_reused = Questo invio è già stato usato per un'altra richiesta. Ricarichi la pagina e invii di nuovo.

## Registro (ledger), audit trail, checkpoint ed esportazioni

refusal-invalid_proof_request = Il registro non può fornire questa prova per le voci richieste. Controlli i numeri delle voci e la dimensione del checkpoint.
refusal-merkle_tree_behind = L'indice di integrità del registro è in fase di aggiornamento. Riprovi tra qualche istante.
refusal-checkpoint_inconsistent = Il checkpoint del registro non è stato firmato perché non concorda con quello precedente. Informi subito l'amministratore di sistema e la QA: il database deve essere esaminato prima di qualsiasi altro checkpoint.
refusal-ledger_unverified = Il registro non è stato verificato: contiene qualcosa che cartrec non ha scritto, oppure qualcosa che ha scritto manca o è stato modificato. Non si può registrare né firmare nulla finché non viene indagato e il registro non si verifica di nuovo. Nulla di suo è stato registrato. Informi subito la QA e l'amministratore di sistema.
refusal-no_ledger_incident = Questa istanza si fida del proprio registro: non c'è alcun incidente da registrare.
refusal-ledger_incident_open = Il registro si verifica di nuovo, ma la scrittura riprende solo dopo che la QA ha registrato l'incidente e un amministratore l'ha confermato. Fino ad allora si accettano solo gli accessi e la registrazione dell'incidente. Nulla di suo è stato registrato.
refusal-ledger_still_unverified = Il registro non si verifica ancora: lo ripristini da un backup, o corregga la riga modificata, e lo verifichi di nuovo prima di registrare l'incidente.
refusal-incident_recorder_not_qa = Solo la QA registra un incidente del registro.
refusal-incident_confirmer_not_admin = Un incidente del registro è confermato da un amministratore.
refusal-incident_not_recorded = La QA non ha ancora registrato questo incidente.
refusal-incident_already_recorded = Questo incidente è già registrato; lo conferma un amministratore.
refusal-incident_already_confirmed = Questo incidente è già confermato.
refusal-incident_confirmer_recorded_it = L'incidente è confermato da una seconda persona: lei lo ha registrato.
refusal-invalid_cause = Descriva la causa in una riga di 1-2000 caratteri stampabili.
refusal-invalid_actions = Descriva ciò che è stato fatto in una riga di 1-2000 caratteri stampabili.
refusal-ledger_head_mismatch = La riga di blocco del registro è stata modificata al di fuori di cartrec. Non si può registrare né firmare nulla finché non viene indagato. Nulla di suo è stato registrato. Informi subito la QA e l'amministratore di sistema.
refusal-merkle_node_conflict = L'indice di integrità del registro contiene un valore che cartrec non ha scritto. Non si può registrare né firmare nulla finché non viene indagato. Nulla di suo è stato registrato. Informi subito la QA e l'amministratore di sistema.
refusal-no_checkpoint = Non è ancora stato firmato alcun checkpoint del registro. Riprovi dopo la firma del primo checkpoint.
refusal-checkpoint_not_found = Non è stato firmato alcun checkpoint del registro di questa dimensione. Scelga uno dei checkpoint firmati.
refusal-checkpoint_precedes_batch = Il checkpoint scelto è stato firmato prima della creazione di questo lotto e quindi non può coprirlo. Scelga un checkpoint successivo oppure esporti senza sceglierne uno.
refusal-no_such_tile = Il registro non contiene ancora abbastanza voci per questa parte del log. Controlli la richiesta.
refusal-entry_too_large_for_bundle = Questa voce del registro è troppo grande per essere inclusa in un pacchetto. La legga singolarmente dall'elenco delle voci del registro.
refusal-audit_download_too_large = Troppe voci dell'audit trail corrispondono per essere scaricate in una volta. Restringa il filtro, ad esempio a un periodo più breve.

## Account utente e ruoli

refusal-user_not_found = Non esiste alcun utente con questo nome utente. Controlli l'ortografia.
refusal-username_taken = Questo nome utente è già in uso e i nomi utente non vengono mai riutilizzati. Ne scelga un altro.
refusal-invalid_username = Il nome utente non è valido. Usi da 3 a 64 lettere minuscole, cifre, '.', '_' o '-', iniziando con una lettera.
refusal-reserved_username = Questo nome utente è riservato al sistema. Ne scelga un altro.
refusal-invalid_full_name = Il nome completo non è valido. Inserisca da 2 a 200 caratteri, senza caratteri invisibili o di controllo.
refusal-invalid_role = Uno dei ruoli è sconosciuto. Scelga i ruoli dall'elenco proposto.
refusal-no_roles = Un account ha bisogno di almeno un ruolo. Selezioni un ruolo.
refusal-incompatible_roles = Un amministratore o un auditor non può anche registrare o firmare dati GMP con lo stesso account. Scelga ruoli che mantengano separate queste funzioni.
refusal-own_account = Non può eseguire questa operazione sul proprio account. Chieda a un altro collega autorizzato di farlo.
refusal-own_roles = Non può modificare i propri ruoli. Si rivolga a un altro amministratore.
refusal-account_inactive = Questo account utente è disattivato, quindi i suoi ruoli non possono essere modificati né approvati.
refusal-already_inactive = Questo account utente è già disattivato. Non è necessario fare altro.
refusal-not_locked = Questo account utente non è bloccato. Non c'è nulla da sbloccare.
refusal-nothing_pending = Questo utente non ha ruoli in attesa di approvazione. Non c'è nulla da approvare.
refusal-not_acknowledged = L'utente non ha ancora certificato la propria firma elettronica. I suoi ruoli possono essere approvati solo dopo.
refusal-already_acknowledged = Ha già certificato la Sua firma elettronica. Non è necessario fare altro.
refusal-approver_requested_roles = Ha creato Lei questo account o richiesto questi ruoli, quindi non può approvarli. Un'altra persona autorizzata deve confermare l'identità dell'utente e approvarli.
refusal-approver_role = Il Suo ruolo non può approvare questi ruoli: i ruoli di amministratore sono approvati da un altro amministratore, tutti gli altri dalla QA. Si rivolga a un collega con quel ruolo.

## Password

refusal-wrong_password = La password attuale è errata. La inserisca di nuovo.
refusal-weak_password = La nuova password non rispetta le regole sulle password. Scelga una password più lunga che non contenga il Suo nome o nome utente, ad esempio più parole non correlate.
refusal-password_reused = Ha usato questa password di recente. Scelga una password che non ha mai usato prima.
refusal-password_not_accepted = La password temporanea è generata dal sistema e non deve essere inserita. Lasci vuoto il campo password.

## Firme elettroniche

refusal-signature_password_wrong = La password per la Sua firma elettronica è errata e nulla è stato firmato. Inserisca di nuovo la password.
refusal-signature_expired = La conferma della password è troppo vecchia e nulla è stato firmato. Firmi di nuovo.
refusal-wrong_meaning = Il significato di questa firma non corrisponde all'operazione. Firmi di nuovo con il significato richiesto dall'operazione.
refusal-meaning_needs_its_action = Una firma con questo significato si appone con la decisione di rilascio del lotto, non su una singola registrazione. Usi invece la decisione di rilascio.
refusal-sign_through_its_action = Le registrazioni di questo tipo si firmano con la loro operazione (registrazione, verifica, approvazione o rilascio), in cui se ne controllano le regole. Usi invece quell'operazione.
refusal-nothing_to_sign = Non c'è alcuna registrazione da firmare. Selezioni prima la registrazione.
refusal-signature_spans_streams = Una firma elettronica può firmare solo voci di un'unica registrazione. Firmi ogni registrazione separatamente.
refusal-cannot_sign_signature = Una firma non può essere a sua volta firmata. Firmi invece la registrazione a cui appartiene.
refusal-performer_is_not_author = Solo chi ha effettuato questa registrazione può firmarla come eseguita. Se la sta controllando, la firmi invece come verificata.
refusal-already_signed = Ha già firmato questa voce con questo significato. Non serve un'altra firma.
refusal-verifier_took_part = Ha inserito o già firmato Lei questa voce, quindi non può verificarla. Chieda a un collega di verificarla.
refusal-nothing_recorded = Non è stato registrato nulla, quindi non c'è nulla da firmare. Ricarichi la registrazione e controlli quanto inserito.

## Modelli (master batch record)

refusal-template_not_found = Questo modello o questa versione del modello non esiste. Controlli il codice e la versione.
refusal-template_not_approved = Questo modello non ha alcuna versione approvata dalla QA, quindi non si può avviare alcun lotto su di esso. Chieda alla QA di approvare una versione.
refusal-template_not_draft = Si può approvare solo la bozza corrente di un modello, e questa versione non lo è. Ricarichi il modello per vederne le versioni.
refusal-template_version_exists = Questo modello ha già questa versione o una più recente. Assegni alla nuova bozza un numero di versione più alto.
refusal-approver_imported_template = Ha importato Lei questa versione del modello, quindi non può approvarla. Un'altra persona della QA deve revisionarla e approvarla.
refusal-invalid_template = Il modello non è valido. Corregga la parte indicata nei dettagli e lo importi di nuovo.

## Materiali, lotti di materiale e apparecchiature

refusal-invalid_material = Il nome del materiale non è valido. Usi da 2 a 64 lettere minuscole, cifre o '_', iniziando con una lettera.
refusal-invalid_lot_number = Il numero di lotto non è valido. Usi da 1 a 64 lettere, cifre, '.', '_' o '-'.
refusal-invalid_supplier = Il fornitore non è valido. Inserisca da 1 a 200 caratteri, senza caratteri invisibili o di controllo.
refusal-invalid_attachment = Il riferimento al certificato non è valido. Carichi di nuovo il certificato e usi il riferimento restituito dal caricamento.
refusal-lot_not_found = Non esiste alcun lotto di materiale con questo ID. Controlli l'ID oppure registri prima il lotto.
refusal-lot_unknown = Il lotto di materiale inserito non è registrato. Controlli il lotto sull'etichetta oppure lo faccia prima registrare e rilasciare dalla QA.
refusal-lot_wrong_material = Il lotto inserito è di un materiale diverso da quello richiesto da questo campo. Controlli l'etichetta e usi un lotto del materiale corretto.
refusal-lot_in_quarantine = Il lotto di materiale è ancora in quarantena: la QA non lo ha rilasciato. Usi un lotto rilasciato oppure chieda alla QA di rilasciare questo.
refusal-lot_rejected = Il lotto di materiale è stato respinto dalla QA e non deve essere usato. Usi un lotto rilasciato e metta da parte questo.
refusal-lot_expired = Il lotto di materiale è scaduto e non deve essere usato. Usi un lotto rilasciato e non scaduto.
refusal-lot_status = Lo stato attuale del lotto di materiale non consente questa decisione. Ricarichi il lotto per vederne lo stato.
refusal-equipment_not_found = Non esiste alcuna apparecchiatura con questo ID. Controlli l'ID.
refusal-equipment_unknown = L'apparecchiatura inserita non è registrata. Controlli l'ID sull'etichetta dell'apparecchiatura.
refusal-equipment_exists = Un'apparecchiatura con questo ID è già registrata e gli ID non vengono mai riutilizzati. Controlli l'ID o ne scelga uno nuovo.
refusal-equipment_out_of_calibration = L'apparecchiatura ha la taratura scaduta e non deve essere usata. Usi un'apparecchiatura tarata e faccia tarare questa.
refusal-invalid_equipment_id = L'ID dell'apparecchiatura non è valido. Usi da 1 a 64 lettere, cifre, '.', '_' o '-'.
refusal-invalid_equipment_kind = Il tipo di apparecchiatura non è valido. Inserisca da 1 a 100 caratteri, senza caratteri invisibili o di controllo.
refusal-invalid_calibration = Le date di taratura non sono valide: una taratura non può essere nel futuro e la successiva deve scadere dopo di essa. Controlli le date.
refusal-attachment_not_found = Il file richiesto non esiste. Controlli il riferimento oppure carichi di nuovo il file.
refusal-attachment_unknown = Il file indicato in questo campo non è stato caricato. Carichi prima il file, poi registri la fase.

## Creazione del lotto e catena d'identità

refusal-batch_not_found = Non esiste alcun lotto con questo numero. Controlli il numero di lotto.
refusal-invalid_patient_code = Il codice paziente non è valido. Inserisca il codice pseudonimo assegnato dal centro di raccolta (da 3 a 32 lettere, cifre o '-'), mai il nome del paziente.
refusal-invalid_date_of_birth = La data di nascita non è valida. Inserisca una data compresa tra il 1900 e oggi.
refusal-invalid_patient_weight = Il peso del paziente non è valido. Inserisca il peso in chilogrammi, maggiore di 0 e al massimo 400.
refusal-invalid_treating_site = Il centro di trattamento non è valido. Inserisca da 1 a 100 caratteri, senza caratteri invisibili o di controllo.
refusal-coi_in_use = Questo identificativo della catena d'identità appartiene già a un altro lotto; due lotti non ne condividono mai uno. Verifichi l'identificativo con il centro di raccolta.
refusal-coi_required = Questa fase riconferma la catena d'identità. Scansioni o digiti l'identificativo dall'etichetta del lotto.
refusal-invalid_coi = Quanto letto non è un identificativo valido della catena d'identità. Non proceda: rilegga l'identificativo dall'etichetta o dal braccialetto; al letto del paziente, non infonda finché un nuovo controllo a due persone non ha dato esito positivo.
refusal-coi_check_character = Il carattere di controllo dell'identificativo della catena d'identità non corrisponde. Rilegga l'identificativo dall'etichetta.
refusal-coi_mismatch = STOP: l'identificativo non corrisponde alla catena d'identità di questo lotto, quindi il materiale potrebbe appartenere a un altro paziente. Non proceda e non infonda; la QA è stata allertata.
refusal-invalid_coi_year = Non è possibile assegnare un identificativo della catena d'identità per quest'anno. Contatti l'amministratore di sistema.
refusal-invalid_coi_sequence = Questo sito ha esaurito gli identificativi della catena d'identità per quest'anno. Contatti l'amministratore di sistema.
refusal-invalid_facility_id = Il numero di identificazione della struttura (FIN) configurato per il sito non è valido. Contatti l'amministratore di sistema.
refusal-corrupt_batch = Non è stato possibile leggere la registrazione del lotto perché è incoerente. Non registri altro su di essa e informi la QA e l'amministratore di sistema.

## Registrazione e verifica delle fasi

refusal-step_not_found = Questa fase non esiste nel modello del lotto. Ricarichi il lotto e scelga una delle sue fasi.
refusal-step_out_of_order = Le fasi si registrano nell'ordine del modello: una fase precedente non è ancora registrata oppure una fase successiva è già iniziata. Registri le fasi in ordine; per modificare una fase chiusa, registri una correzione.
refusal-step_already_recorded = Questa fase è già registrata. Per modificare un valore, registri una correzione.
refusal-unknown_field = I dati contengono un campo che questa fase non ha. Ricarichi la pagina e inserisca di nuovo i valori.
refusal-missing_value = Un campo obbligatorio è vuoto. Compili tutti i campi obbligatori.
refusal-invalid_value = Un valore non è adatto al suo campo. Controlli il campo indicato nei dettagli e lo inserisca di nuovo.
refusal-invalid_decimal = Il numero non è valido. Inserisca un semplice numero decimale.
refusal-invalid_number = Un numero manca o non è valido. Inserisca un numero decimale.
refusal-wrong_role = Il Suo ruolo non Le consente di eseguire questa operazione per questa fase o questo risultato. Deve farlo un utente con il ruolo richiesto.
refusal-tested_batch = Ha registrato o verificato risultati del controllo qualità di questo lotto, quindi non può registrare, verificare o correggere le sue registrazioni di produzione. Deve farlo un collega che non lo ha analizzato.
refusal-verification_not_required = Questa fase non prevede la verifica da parte di una seconda persona. Non è necessario fare altro.
refusal-record_not_found = Questa fase non ha questa registrazione. Ricarichi il lotto e scelga una registrazione esistente.
refusal-self_verification = Ha eseguito, registrato o corretto Lei questo dato, quindi non può verificarlo. Chieda a un collega di verificarlo.
refusal-already_verified = Questo dato è già stato verificato. Non serve un'altra verifica.

## Correzioni

refusal-not_performer = Solo chi ha eseguito la fase, oppure la QA, può correggerne i valori. Chieda a loro di effettuare la correzione.
refusal-no_change = Il nuovo valore è uguale a quello attuale. Inserisca un valore diverso oppure annulli la correzione.
refusal-correction_not_found = Questo lotto non ha questa correzione. Ricarichi il lotto.
refusal-correction_not_awaiting_verification = Questa correzione non richiede verifica oppure è già stata verificata. Non è necessario fare altro.
refusal-correction_not_awaiting_approval = Questa correzione non richiede l'approvazione della QA oppure è già stata approvata. Non è necessario fare altro.
refusal-approver_is_author = Ha effettuato Lei questa correzione, quindi non può approvarla. Deve approvarla un'altra persona della QA.
refusal-correction_pending = Una correzione su questo lotto attende ancora la verifica o l'approvazione della QA. La faccia completare prima che la persona qualificata (QP) certifichi il lotto.

## Deviazioni, sospensione e interruzione

refusal-deviation_not_found = Questo lotto non ha questa deviazione. Ricarichi il lotto.
refusal-deviation_closed = Questa deviazione è già chiusa e non può più essere modificata.
refusal-deviation_not_classified = La deviazione deve essere classificata (minore, maggiore o critica) prima di poter essere chiusa. La classifichi prima.
refusal-open_deviation = Una deviazione su questo lotto è ancora aperta. La QA deve chiuderla prima che il lotto possa essere certificato o infuso.
refusal-batch_on_hold = Il lotto è sospeso, quindi non si può registrare nulla su di esso. La QA deve prima riprenderlo.
refusal-batch_not_on_hold = Il lotto non è sospeso, quindi non c'è nulla da riprendere.
refusal-batch_terminated = Il lotto è stato interrotto e non si può registrare nient'altro su di esso.
refusal-batch_rejected = La persona qualificata (QP) ha respinto questo lotto e non si può registrare nient'altro su di esso.
refusal-batch_infused = Il lotto è stato infuso ed è chiuso; su di esso si possono registrare solo visite di follow-up.

## Controllo qualità

refusal-qc_test_not_found = Il modello del lotto non prevede questo test di controllo qualità. Ricarichi la pagina e scelga uno dei test elencati.
refusal-analyst_made_batch = Ha partecipato alla produzione di questo lotto, quindi non può registrare o verificare i suoi risultati del controllo qualità. Deve farlo un analista che non vi ha partecipato.
refusal-manufacturing_incomplete = Non tutte le fasi di produzione di questo lotto sono ancora registrate. Registri i risultati del controllo qualità dopo la registrazione della raccolta e della crioconservazione.
refusal-result_already_recorded = Questo test ha già un risultato. Si ripete solo un test con risultato fuori specifica; un risultato digitato male si corregge.
refusal-retest_reason_required = Il risultato precedente era fuori specifica, quindi la ripetizione del test richiede una motivazione. La inserisca nel commento, ad esempio l'indagine che ha invalidato il risultato.
refusal-result_not_found = Questo test non ha ancora un risultato da verificare.
refusal-invalid_result = Il risultato non è valido per questo test. Inserisca un numero senza unità di misura, oppure pass o fail, come richiesto dal test.
refusal-qc_incomplete = Un test di controllo qualità non ha ancora un risultato o il suo risultato non è verificato. Completi il controllo qualità prima della certificazione del lotto.
refusal-qc_not_independent = Un risultato del controllo qualità è stato firmato da una persona che ha partecipato anche alla produzione di questo lotto, quindi il controllo qualità non è indipendente. Informi la QA prima della certificazione del lotto.

## Certificazione e rilascio da parte della persona qualificata (QP)

refusal-record_incomplete = Una fase di produzione non è registrata o non è ancora verificata. Completi e verifichi tutte le fasi prima della certificazione del lotto.
refusal-already_decided = La persona qualificata (QP) ha già deciso su questo lotto e la registrazione su cui ha deciso è chiusa. Non si può più modificare nulla.
refusal-qp_took_part = Ha partecipato alle registrazioni di questo lotto, quindi non può certificarlo. Deve certificarlo un'altra persona qualificata (QP).
refusal-out_of_specification = Il lotto ha risultati del controllo qualità fuori specifica, quindi non può essere rilasciato normalmente. Lo respinga oppure lo rilasci in via eccezionale su richiesta del medico curante.
refusal-not_out_of_specification = Il lotto non ha risultati del controllo qualità fuori specifica, quindi non si applicano né la richiesta del medico né il rilascio eccezionale. Lo rilasci normalmente.
refusal-physician_request_missing = Un rilascio eccezionale richiede la richiesta firmata del medico curante che indichi questi risultati fuori specifica. Ottenga prima la richiesta.
refusal-risk_not_acknowledged = Il medico curante deve confermare di essere stato informato dei risultati fuori specifica e di accettare il rischio per questo paziente. Spunti la conferma.
refusal-justification_required = Un rifiuto o un rilascio eccezionale richiede una giustificazione. Inserisca la giustificazione.

## Spedizione, controllo al letto del paziente e infusione

refusal-not_released = Il lotto non è stato certificato da una persona qualificata (QP) e si può spedire solo un lotto rilasciato.
refusal-shipment_in_transit = Una spedizione di questo lotto è ancora in viaggio. Ne registri il ricevimento prima che parta un'altra spedizione.
refusal-shipment_not_found = Questo lotto non ha questa spedizione. Ricarichi il lotto.
refusal-already_received = Il ricevimento di questa spedizione è già registrato.
refusal-shipping_limit_missing = Il modello del lotto non indica alcun limite di temperatura per la spedizione, quindi il ricevimento non può essere valutato. La QA deve approvare una versione del modello che lo indichi.
refusal-invalid_time = Un orario inserito è nel futuro o precede l'evento a cui segue. Controlli gli orari e li inserisca di nuovo.
refusal-invalid_temperature = La temperatura non è valida. Inserisca gradi Celsius tra -273,15 e 100, con il minimo non superiore al massimo.
refusal-not_received = Il lotto non è ancora stato ricevuto in reparto. Registri prima il ricevimento della spedizione.
refusal-bedside_check_pending = Un controllo al letto del paziente attende la conferma di un secondo operatore sanitario come testimone. Il secondo operatore deve confermarlo prima che inizi un nuovo controllo.
refusal-no_check_to_witness = Nessun controllo al letto del paziente attende un testimone. Il primo operatore sanitario deve prima eseguire il controllo.
refusal-same_clinician = Ha eseguito Lei questo controllo al letto del paziente, quindi non può farne da testimone. Un secondo operatore sanitario deve rileggere entrambi gli identificativi.
refusal-bedside_check_required = Prima dell'infusione, due operatori sanitari devono controllare al letto del paziente l'etichetta del prodotto e il braccialetto del paziente, senza discrepanze successive. Esegua prima il controllo a due persone al letto del paziente.
refusal-invalid_bags = Il numero di sacche non è valido. Inserisca un valore da 1 a 20.
refusal-invalid_dose = La dose non è valida. Inserisca le cellule CAR-T per chilogrammo come numero positivo.

## Follow-up

refusal-not_infused = Il lotto non è stato infuso e il follow-up inizia con l'infusione.
refusal-invalid_visit_date = La data della visita deve essere compresa tra l'infusione e oggi. Controlli la data.
refusal-follow_up_period_over = Il follow-up di 15 anni di questo lotto è terminato. Non si possono registrare altre visite.
refusal-invalid_adverse_event = Un evento avverso non è valido: ognuno richiede un termine di al massimo 200 caratteri e un grado CTCAE da 1 a 5, con al massimo 50 per visita. Controlli gli eventi avversi.

## Campi di testo libero (troppo lunghi, vuoti o con caratteri invisibili o di controllo)

refusal-invalid_reason = La motivazione manca, è troppo lunga o contiene caratteri invisibili o di controllo. La inserisca di nuovo come testo semplice.
refusal-invalid_comment = Il commento è troppo lungo o contiene caratteri invisibili o di controllo. Lo inserisca di nuovo come testo semplice.
refusal-invalid_justification = La giustificazione è troppo lunga o contiene caratteri invisibili o di controllo. La inserisca di nuovo come testo semplice.
refusal-invalid_description = La descrizione manca, è troppo lunga o contiene caratteri invisibili o di controllo. La inserisca di nuovo come testo semplice.
refusal-invalid_investigation = L'indagine manca, è troppo lunga o contiene caratteri invisibili o di controllo. La inserisca di nuovo come testo semplice.
refusal-invalid_root_cause = La causa radice manca, è troppo lunga o contiene caratteri invisibili o di controllo. La inserisca di nuovo come testo semplice.
refusal-invalid_capa_ref = Il riferimento CAPA manca, è troppo lungo o contiene caratteri invisibili o di controllo. Lo inserisca di nuovo (al massimo 100 caratteri).
refusal-invalid_shipper_id = L'ID del dry shipper manca, è troppo lungo o contiene caratteri invisibili o di controllo. Lo inserisca di nuovo (al massimo 100 caratteri).
refusal-invalid_container_id = L'ID del contenitore manca, è troppo lungo o contiene caratteri invisibili o di controllo. Lo inserisca di nuovo (al massimo 100 caratteri).
refusal-invalid_logger_id = L'ID del data logger di temperatura manca, è troppo lungo o contiene caratteri invisibili o di controllo. Lo inserisca di nuovo (al massimo 100 caratteri).
refusal-invalid_premedication = La premedicazione manca, è troppo lunga o contiene caratteri invisibili o di controllo. La inserisca di nuovo (al massimo 500 caratteri).
refusal-invalid_immediate_reactions = Le reazioni immediate mancano, sono troppo lunghe o contengono caratteri invisibili o di controllo. Le inserisca di nuovo (al massimo 500 caratteri).
refusal-invalid_disease_status = Lo stato della malattia manca, è troppo lungo o contiene caratteri invisibili o di controllo. Lo inserisca di nuovo (al massimo 500 caratteri).
refusal-invalid_immunosuppression = L'indicazione sull'immunosoppressione manca, è troppo lunga o contiene caratteri invisibili o di controllo. La inserisca di nuovo (al massimo 500 caratteri).
refusal-invalid_notes = Le note sono troppo lunghe o contengono caratteri invisibili o di controllo. Le inserisca di nuovo (al massimo 2000 caratteri).
