### Messages for the refusal codes the service answers (the problem's `code`), one per code:
### `refusal-<code>`. They say what was refused and what to do next; the server's own English
### detail is shown separately under "Details". The codes are listed in REFUSAL_CODES.

## Fallback for a code without its own message

refusal-generic = The request was refused. Read the details below, correct what they name, and try again.

## Signing in and sessions

refusal-invalid_credentials = The user name or password is wrong. Check both and try again.
refusal-missing_token = You are not signed in. Sign in to continue.
refusal-invalid_token = Your sign-in is no longer valid or has expired. Sign in again.
refusal-session_ended = Your session has ended. Sign in again.
refusal-account_busy = This account was changing while it was read. Nothing of yours was recorded; please try again.
refusal-account_locked = Your account is locked after repeated wrong passwords. Wait until the lock ends, or ask an administrator to unlock it.
refusal-too_many_attempts = There have been too many password attempts. Wait a moment before you try again.
refusal-password_change_required = A temporary password must first be replaced by the account's owner. If this is your account, change your password now; otherwise ask the user to do so.
refusal-forbidden = Your role does not permit this action. If your work requires it, ask an administrator.

## The request itself

refusal-bad_request = The request could not be read. Check what you entered and try again.
refusal-not_found = The page or item you asked for does not exist. Check the address, or go back and choose it from the list.
refusal-method_not_allowed = This action is not available here. Reload the page and try again.
refusal-payload_too_large = What you sent is larger than the server accepts. Use a smaller file or shorter text.
refusal-uri_too_long = The address is too long. Shorten your search or filter and try again.
refusal-internal_error = The server could not complete the request, and nothing was recorded. Try again later; if it happens again, contact the system administrator.

## Someone else changed the record at the same time

refusal-precondition_failed = The record has changed since you opened it, and nothing of yours was recorded. Reload it, check what changed, and enter your data again if it still applies.
refusal-stale = Someone else recorded on this record at the same moment, and nothing of yours was recorded. Reload the record and decide again on what it shows now.
refusal-request_in_progress = An earlier submission of this request is still running or was interrupted. Reload the record to see whether it was recorded before you submit again.
refusal-idempotency_key_reused = This submission was already used for a different request. Reload the page and submit again.

## Ledger, audit trail, checkpoints and exports

refusal-invalid_proof_request = The ledger cannot give this proof for the entries asked for. Check the entry numbers and the checkpoint size.
refusal-merkle_tree_behind = The ledger's integrity index is still being brought up to date. Try again in a moment.
refusal-checkpoint_inconsistent = The ledger checkpoint was not signed because it does not agree with the earlier one. Inform the system administrator and QA at once: the database must be examined before any further checkpoint.
refusal-ledger_unverified = The ledger did not verify: it holds something cartrec did not write, or something it wrote is missing or changed. Nothing can be recorded or signed until it is investigated and the ledger verifies again. Nothing of yours was recorded. Inform QA and the system administrator at once.
refusal-no_ledger_incident = This instance trusts its ledger: there is no incident to record.
refusal-ledger_incident_open = The ledger verifies again, but writing resumes only once QA has recorded the incident and an administrator has confirmed it. Until then only sign-ins and the incident record are accepted. Nothing of yours was recorded.
refusal-ledger_still_unverified = The ledger does not verify yet: restore it from a backup, or put the changed row right, and verify it again before recording the incident.
refusal-incident_recorder_not_qa = Only QA records a ledger incident.
refusal-incident_confirmer_not_admin = An administrator confirms a ledger incident.
refusal-incident_not_recorded = QA has not recorded this incident yet.
refusal-incident_already_recorded = This incident is recorded already; an administrator confirms it.
refusal-incident_already_confirmed = This incident is confirmed already.
refusal-incident_confirmer_recorded_it = A second person confirms the incident: you recorded it.
refusal-invalid_cause = Describe the cause in one line of 1 to 2000 printable characters.
refusal-invalid_actions = Describe what was done in one line of 1 to 2000 printable characters.
refusal-ledger_head_mismatch = The ledger's append lock row was changed outside cartrec. Nothing can be recorded or signed until it is investigated. Nothing of yours was recorded. Inform QA and the system administrator at once.
refusal-merkle_node_conflict = The ledger's integrity index holds a value that cartrec did not write. Nothing can be recorded or signed until it is investigated. Nothing of yours was recorded. Inform QA and the system administrator at once.
refusal-no_checkpoint = No ledger checkpoint has been signed yet. Try again once the first checkpoint is signed.
refusal-checkpoint_not_found = No ledger checkpoint of this size has been signed. Choose one of the signed checkpoints.
refusal-checkpoint_precedes_batch = The chosen checkpoint was signed before this batch was created, so it cannot cover the batch. Choose a later checkpoint, or export without choosing one.
refusal-no_such_tile = The ledger does not yet hold enough entries for this part of the log. Check the request.
refusal-entry_too_large_for_bundle = This ledger entry is too large to be included in a bundle. Read it on its own from the list of ledger entries.
refusal-audit_download_too_large = Too many audit trail entries match to download at once. Narrow the filter, for example to a shorter period.

## User accounts and roles

refusal-user_not_found = There is no user with this user name. Check the spelling.
refusal-username_taken = This user name is already taken, and user names are never reused. Choose another one.
refusal-invalid_username = The user name is not valid. Use 3 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter.
refusal-reserved_username = This user name is reserved by the system. Choose another one.
refusal-invalid_full_name = The full name is not valid. Enter 2 to 200 characters, without invisible or control characters.
refusal-invalid_role = One of the roles is unknown. Choose the roles from the list offered.
refusal-no_roles = An account needs at least one role. Select a role.
refusal-incompatible_roles = An administrator or auditor cannot also record or sign GMP data on the same account. Choose roles that keep these duties apart.
refusal-own_account = You cannot do this on your own account. Ask another authorised colleague to do it.
refusal-own_roles = You cannot change your own roles. Ask another administrator.
refusal-account_inactive = This user account is deactivated, so its roles cannot be changed or approved.
refusal-already_inactive = This user account is already deactivated. Nothing more needs to be done.
refusal-not_locked = This user account is not locked. There is nothing to unlock.
refusal-nothing_pending = This user has no roles waiting for approval. There is nothing to approve.
refusal-not_acknowledged = The user has not yet certified their electronic signature. Their roles can be approved only after they have done so.
refusal-already_acknowledged = You have already certified your electronic signature. Nothing more needs to be done.
refusal-approver_requested_roles = You created this account or asked for these roles, so you cannot approve them. Another authorised person must confirm the user's identity and approve them.
refusal-approver_role = Your role cannot approve these roles: administrator roles are approved by another administrator, all other roles by QA. Ask a colleague with that role.

## Passwords

refusal-wrong_password = Your current password is wrong. Enter it again.
refusal-weak_password = The new password does not meet the password rules. Choose a longer password that does not contain your name or user name, for example several unrelated words.
refusal-password_reused = You have used this password recently. Choose a password you have not used before.
refusal-password_not_accepted = The temporary password is generated by the system and must not be entered. Leave the password empty.

## Electronic signatures

refusal-signature_password_wrong = The password for your electronic signature is wrong, and nothing was signed. Enter your password again.
refusal-signature_expired = Your password confirmation is too old, and nothing was signed. Sign again.
refusal-wrong_meaning = This signature's meaning does not fit this action. Sign again with the meaning the action requires.
refusal-meaning_needs_its_action = A signature with this meaning is given through the batch's release decision, not on a single record. Use the release decision instead.
refusal-sign_through_its_action = Records of this kind are signed through their own action (record, verify, approve or release), where their rules are checked. Use that action instead.
refusal-nothing_to_sign = There is no record to sign. Select the record first.
refusal-signature_spans_streams = One electronic signature can only sign entries of one record. Sign each record separately.
refusal-cannot_sign_signature = A signature cannot itself be signed. Sign the record it belongs to instead.
refusal-performer_is_not_author = Only the person who made this entry can sign it as performed. If you are checking it, sign it as verified instead.
refusal-already_signed = You have already signed this entry with this meaning. No further signature is needed.
refusal-verifier_took_part = You made or already signed this entry, so you cannot verify it. Ask a colleague to verify it.
refusal-nothing_recorded = Nothing was recorded, so there is nothing to sign. Reload the record and check your entry.

## Templates (master batch records)

refusal-template_not_found = This template or template version does not exist. Check the code and the version.
refusal-template_not_approved = This template has no version approved by QA, so no batch can be started on it. Ask QA to approve a version.
refusal-template_not_draft = Only the current draft of a template can be approved, and this version is not it. Reload the template to see its versions.
refusal-template_version_exists = This template already has this version or a newer one. Give the new draft a higher version number.
refusal-approver_imported_template = You imported this template version, so you cannot approve it. Another QA person must review and approve it.
refusal-invalid_template = The template is not valid. Correct the part named in the details and import it again.

## Materials, lots and equipment

refusal-invalid_material = The material name is not valid. Use 2 to 64 lowercase letters, digits or '_', starting with a letter.
refusal-invalid_lot_number = The lot number is not valid. Use 1 to 64 letters, digits, '.', '_' or '-'.
refusal-invalid_supplier = The supplier is not valid. Enter 1 to 200 characters, without invisible or control characters.
refusal-invalid_attachment = The certificate reference is not valid. Upload the certificate again and use the reference the upload gives.
refusal-lot_not_found = There is no lot with this ID. Check the ID, or register the lot first.
refusal-lot_unknown = The material lot entered is not registered. Check the lot on the label, or have it registered and released by QA first.
refusal-lot_wrong_material = The material lot entered is of a different material than this field needs. Check the label and use a lot of the right material.
refusal-lot_in_quarantine = The material lot is still in quarantine: QA has not released it. Use a released lot, or ask QA to release this one.
refusal-lot_rejected = The material lot was rejected by QA and must not be used. Use a released lot and set this one aside.
refusal-lot_expired = The material lot has expired and must not be used. Use a released lot within its expiry date.
refusal-lot_status = The lot's current status does not allow this decision. Reload the lot to see its status.
refusal-equipment_not_found = There is no equipment with this ID. Check the ID.
refusal-equipment_unknown = The equipment entered is not registered. Check the ID on the equipment's label.
refusal-equipment_exists = Equipment with this ID is already registered, and IDs are never reused. Check the ID or choose a new one.
refusal-equipment_out_of_calibration = The equipment is overdue for calibration and must not be used. Use calibrated equipment and have this one calibrated.
refusal-invalid_equipment_id = The equipment ID is not valid. Use 1 to 64 letters, digits, '.', '_' or '-'.
refusal-invalid_equipment_kind = The equipment type is not valid. Enter 1 to 100 characters, without invisible or control characters.
refusal-invalid_calibration = The calibration dates are not valid: a calibration cannot lie in the future, and the next one must be due after it. Check the dates.
refusal-attachment_not_found = The requested file does not exist. Check the reference, or upload the file again.
refusal-attachment_unknown = The file named in this field has not been uploaded. Upload the file first, then record the step.

## Creating a batch and the chain of identity

refusal-batch_not_found = There is no batch with this number. Check the batch number.
refusal-invalid_patient_code = The patient code is not valid. Enter the pseudonymous code from the collection centre (3 to 32 letters, digits or '-'), never the patient's name.
refusal-invalid_date_of_birth = The date of birth is not valid. Enter a date between 1900 and today.
refusal-invalid_patient_weight = The patient's weight is not valid. Enter the weight in kilograms, more than 0 and at most 400.
refusal-invalid_treating_site = The treating site is not valid. Enter 1 to 100 characters, without invisible or control characters.
refusal-coi_in_use = This chain of identity identifier already belongs to another batch; two batches never share one. Check the identifier with the collection centre.
refusal-coi_required = This step re-confirms the chain of identity. Scan or type the identifier from the batch's label.
refusal-invalid_coi = What was read is not a valid chain of identity identifier. Do not continue: read the identifier again from the label or wristband; at the bedside, do not infuse until a new two-person check has passed.
refusal-coi_check_character = The check character of the chain of identity identifier does not match. Read the identifier again from the label.
refusal-coi_mismatch = STOP: the identifier does not match this batch's chain of identity, so the material may belong to another patient. Do not continue and do not infuse; QA has been alerted.
refusal-invalid_coi_year = No chain of identity identifier can be assigned for this year. Contact the system administrator.
refusal-invalid_coi_sequence = This site has used up its chain of identity identifiers for this year. Contact the system administrator.
refusal-invalid_facility_id = The site's configured facility identification number (FIN) is not valid. Contact the system administrator.
refusal-corrupt_batch = The batch record could not be read because it is inconsistent. Record nothing more on it and inform QA and the system administrator.

## Recording and verifying steps

refusal-step_not_found = This step does not exist in the batch's template. Reload the batch and choose one of its steps.
refusal-step_out_of_order = Steps are recorded in the template's order: an earlier step is not recorded yet, or a later step has already begun. Record the steps in order; to change a closed step, record a correction.
refusal-step_already_recorded = This step is already recorded. To change a value, record a correction.
refusal-unknown_field = The entry contains a field that this step does not have. Reload the page and enter the values again.
refusal-missing_value = A required field is empty. Fill in every required field.
refusal-invalid_value = A value does not fit its field. Check the field named in the details and enter it again.
refusal-invalid_decimal = The number is not valid. Enter a plain decimal number.
refusal-invalid_number = A number is missing or not valid. Enter a decimal number.
refusal-wrong_role = Your role does not allow you to do this for this step or result. A user with the role it requires must do it.
refusal-tested_batch = You recorded or verified QC results of this batch, so you cannot record, verify or correct its manufacturing records. A colleague who did not test it must do so.
refusal-verification_not_required = This step is not verified by a second person. Nothing more needs to be done.
refusal-record_not_found = This step has no such record. Reload the batch and choose an existing record.
refusal-self_verification = You performed, recorded or corrected this, so you cannot verify it. Ask a colleague to verify it.
refusal-already_verified = This has already been verified. No further verification is needed.

## Corrections

refusal-not_performer = Only the person who performed the step, or QA, can correct its values. Ask them to make the correction.
refusal-no_change = The new value is the same as the current one. Enter a different value, or cancel the correction.
refusal-correction_not_found = This batch has no such correction. Reload the batch.
refusal-correction_not_awaiting_verification = This correction needs no verification, or has already been verified. Nothing more needs to be done.
refusal-correction_not_awaiting_approval = This correction needs no QA approval, or has already been approved. Nothing more needs to be done.
refusal-approver_is_author = You made this correction, so you cannot approve it. Another QA person must approve it.
refusal-correction_pending = A correction on this batch still awaits verification or QA approval. Have it completed before the QP certifies the batch.

## Deviations, hold and termination

refusal-deviation_not_found = This batch has no such deviation. Reload the batch.
refusal-deviation_closed = This deviation is already closed and cannot be changed any more.
refusal-deviation_not_classified = The deviation must be classified (minor, major or critical) before it can be closed. Classify it first.
refusal-open_deviation = A deviation on this batch is still open. QA must close it before the batch can be certified or infused.
refusal-batch_on_hold = The batch is on hold, so nothing can be recorded on it. QA must resume it first.
refusal-batch_not_on_hold = The batch is not on hold, so there is nothing to resume.
refusal-batch_terminated = The batch was terminated, and nothing more can be recorded on it.
refusal-batch_rejected = The QP rejected this batch, and nothing more can be recorded on it.
refusal-batch_infused = The batch has been infused and is closed; only follow-up visits can be recorded on it.

## QC testing

refusal-qc_test_not_found = The batch's template has no such QC test. Reload the page and choose one of the listed tests.
refusal-analyst_made_batch = You took part in manufacturing this batch, so you cannot record or verify its QC results. An analyst who did not must do so.
refusal-manufacturing_incomplete = Not all manufacturing steps of this batch are recorded yet. Record QC results once harvest and cryopreservation are recorded.
refusal-result_already_recorded = This test already has a result. Only an out-of-specification result is re-tested; a mistyped result is corrected instead.
refusal-retest_reason_required = The previous result was out of specification, so a re-test needs a reason. Enter it in the comment, for example the investigation that invalidated the result.
refusal-result_not_found = This test has no result to verify yet.
refusal-invalid_result = The result is not valid for this test. Enter a number without its unit, or pass or fail, as the test requires.
refusal-qc_incomplete = A QC test has no result yet, or its result is not verified. Complete QC testing before the batch is certified.
refusal-qc_not_independent = A QC result was signed by someone who also took part in manufacturing this batch, so QC is not independent. Inform QA before the batch is certified.

## QP certification and release

refusal-record_incomplete = A manufacturing step is not recorded or not yet verified. Complete and verify all steps before the batch is certified.
refusal-already_decided = The QP has already decided on this batch, and the record it was decided on is closed. Nothing can be changed any more.
refusal-qp_took_part = You took part in this batch's records, so you cannot certify it. Another QP must certify it.
refusal-out_of_specification = The batch has out-of-specification QC results, so it cannot be released normally. Reject it, or release it exceptionally on the treating physician's request.
refusal-not_out_of_specification = The batch has no out-of-specification QC result, so no physician's request or exceptional release applies. Release it normally.
refusal-physician_request_missing = An exceptional release needs the treating physician's signed request naming these out-of-specification results. Obtain the request first.
refusal-risk_not_acknowledged = The treating physician must confirm that they were informed of the out-of-specification results and accept the risk for this patient. Tick the confirmation.
refusal-justification_required = A rejection or exceptional release needs a justification. Enter the justification.

## Shipment, bedside check and infusion

refusal-not_released = The batch has not been certified by a QP, and only a released batch can be shipped.
refusal-shipment_in_transit = A shipment of this batch is still in transit. Record its receipt before another shipment leaves.
refusal-shipment_not_found = This batch has no such shipment. Reload the batch.
refusal-already_received = The receipt of this shipment is already recorded.
refusal-shipping_limit_missing = The batch's template states no shipping temperature limit, so the receipt cannot be assessed. QA must approve a template version that states one.
refusal-invalid_time = A time entered is in the future, or earlier than the event it follows. Check the times and enter them again.
refusal-invalid_temperature = The temperature is not valid. Enter degrees Celsius between -273.15 and 100, with the minimum not above the maximum.
refusal-not_received = The batch has not been received on the ward yet. Record the receipt of the shipment first.
refusal-bedside_check_pending = A bedside check is waiting for a second clinician to witness it. The second clinician must witness it before a new check is started.
refusal-no_check_to_witness = No bedside check is waiting for a witness. The first clinician must perform the check first.
refusal-same_clinician = You performed this bedside check, so you cannot witness it. A second clinician must read both identifiers again.
refusal-bedside_check_required = Before infusion, two clinicians must check the product label and the patient's wristband at the bedside, with no mismatch since. Perform the two-person bedside check first.
refusal-invalid_bags = The number of bags is not valid. Enter 1 to 20.
refusal-invalid_dose = The dose is not valid. Enter the CAR-T cells per kilogram as a positive number.

## Follow-up

refusal-not_infused = The batch has not been infused, and follow-up starts at infusion.
refusal-invalid_visit_date = The visit date must lie between the infusion and today. Check the date.
refusal-follow_up_period_over = The 15-year follow-up of this batch has ended. No further visits can be recorded.
refusal-invalid_adverse_event = An adverse event is not valid: each needs a term of up to 200 characters and a CTCAE grade from 1 to 5, with at most 50 per visit. Check the adverse events.

## Free-text fields (too long, empty, or with invisible or control characters)

refusal-invalid_reason = The reason is missing, too long, or contains invisible or control characters. Enter it again as plain text.
refusal-invalid_comment = The comment is too long or contains invisible or control characters. Enter it again as plain text.
refusal-invalid_justification = The justification is too long or contains invisible or control characters. Enter it again as plain text.
refusal-invalid_description = The description is missing, too long, or contains invisible or control characters. Enter it again as plain text.
refusal-invalid_investigation = The investigation is missing, too long, or contains invisible or control characters. Enter it again as plain text.
refusal-invalid_root_cause = The root cause is missing, too long, or contains invisible or control characters. Enter it again as plain text.
refusal-invalid_capa_ref = The CAPA reference is missing, too long, or contains invisible or control characters. Enter it again (at most 100 characters).
refusal-invalid_shipper_id = The dry shipper ID is missing, too long, or contains invisible or control characters. Enter it again (at most 100 characters).
refusal-invalid_container_id = The container ID is missing, too long, or contains invisible or control characters. Enter it again (at most 100 characters).
refusal-invalid_logger_id = The temperature logger ID is missing, too long, or contains invisible or control characters. Enter it again (at most 100 characters).
refusal-invalid_premedication = The premedication is missing, too long, or contains invisible or control characters. Enter it again (at most 500 characters).
refusal-invalid_immediate_reactions = The immediate reactions are missing, too long, or contain invisible or control characters. Enter them again (at most 500 characters).
refusal-invalid_disease_status = The disease status is missing, too long, or contains invisible or control characters. Enter it again (at most 500 characters).
refusal-invalid_immunosuppression = The immunosuppression entry is missing, too long, or contains invisible or control characters. Enter it again (at most 500 characters).
refusal-invalid_notes = The notes are too long or contain invisible or control characters. Enter them again (at most 2000 characters).
