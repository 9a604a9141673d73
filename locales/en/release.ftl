# After manufacturing: the QP's review and decision, the physician's request, shipping, the ward.
optional = optional
work-nothing-here = Nothing here now.
work-awaiting-release = Awaiting your release decision
work-to-ship = Released, to ship
work-on-the-ward = Shipped to or on the ward

next-review = Review by exception
next-physician-request = Request exceptional release
next-ship = Dispatch to the treating site
next-receive = Receive the shipment
next-bedside = Bedside identity check
next-infusion = Record the infusion
next-follow-up = Record a follow-up visit

review-title = Review by exception
review-whole-record = The whole batch record
review-printable = Printable record
review-decided = Decision made
review-ready = Nothing stops certification: you may release this batch.
review-not-ready = This batch cannot be released now:
review-exceptions = Exceptions in the record
review-no-exceptions = No exceptions: every step and QC result is complete, verified and within its limits.
review-kind = Kind
review-description = What the record shows
review-entry = Ledger entry
review-decide = Your decision

exception-missing_step = Step not recorded
exception-missing_verification = Verification missing
exception-missing_result = QC result missing
exception-unverified_result = QC result not verified
exception-deviation = Deviation
exception-out_of_range = Out of range
exception-oos = Out of specification
exception-correction = Correction
exception-late_entry = Late entry
exception-hold = Hold
exception-coi_mismatch = Identity mismatch
exception-rejected_lot = Rejected lot

release-decide-released = Release
release-decide-rejected = Reject
release-decide-released_exceptionally = Release exceptionally
release-intro-released = You certify that this batch was made and tested as its approved process and specifications require.
release-intro-rejected = You reject this batch: it will not be given to the patient. State why.
release-intro-released_exceptionally = You release an out-of-specification product on the treating physician's signed request. State your justification.
release-justification = Justification
release-sign-released = Sign the release
release-sign-rejected = Sign the rejection
release-sign-released_exceptionally = Sign the exceptional release
physician-request = Physician's request

physician-request-title = Request exceptional release
physician-request-intro = As the treating physician you ask that this out-of-specification product be given to your patient all the same. The results you were told of are listed below.
physician-request-reason = Why this patient should have this product
physician-request-risk = I was told of the out-of-specification results and accept the risk

ship-title = Dispatch to the treating site
ship-intro = The product leaves in a dry shipper with a temperature logger. Scan or type their identifiers.
ship-shipper = Dry shipper
ship-container = Container
ship-logger = Temperature logger
ship-dispatched-at = Dispatched at

receive-title = Receive shipment { $shipment }
receive-intro = Read the logger and look at the container before you sign. A temperature above the limit or a damaged container raises a deviation that blocks the infusion.
receive-at = Received at
receive-min = Logger's lowest reading
receive-max = Logger's highest reading
receive-max-hint = As the logger shows it, e.g. -160.5
receive-intact = Is the container intact?

bedside-title = Bedside identity check
bedside-first-intro = Two clinicians check the product bag against the patient's wristband. You read first; a second clinician then reads both again and signs as witness.
bedside-witness-intro = { $clinician } has read the bag and the wristband. Read both again yourself and sign as witness.
bedside-scan-intro = Scan the bag's label first, then the patient's wristband.
bedside-product = Chain of identity on the product bag
bedside-product-hint = Scan the barcode on the bag's label, or type the identifier printed on it.
bedside-wristband = Chain of identity on the patient's wristband
bedside-wristband-hint = Scan the patient's wristband last.

stop-title = STOP — DO NOT INFUSE
stop-do-not-infuse = The product bag and the patient's wristband do not both carry this batch's chain of identity. Do not connect or infuse this product.
stop-expected = This batch's chain of identity
stop-next-heading = What happens now
stop-next-1 = Keep the bag closed and stay with the patient. Do not infuse.
stop-next-2 = The reading is recorded as a security event and QA is alerted. Nothing was recorded as checked, and any earlier check no longer counts.
stop-next-3 = Find the right bag and patient. Infusion needs a new two-person check that passes.
stop-new-check = Start a new bedside check
stop-to-batch = Back to the batch

infusion-title = Infusion
infusion-intro = Record the infusion after a passed two-person bedside check. The batch then closes; only follow-up visits follow.
infusion-thaw = Thaw started at
infusion-start = Infusion started at
infusion-end = Infusion ended at
infusion-bags = Bags infused
infusion-dose = Dose
infusion-dose-hint = CAR+ T cells per kg of body weight, e.g. 1.0e6
infusion-premedication = Premedication
infusion-reactions = Immediate reactions
infusion-reactions-hint = "none", or what was seen (e.g. CRS grade 1)

follow-up-title = Follow-up visit
follow-up-intro = Visits recorded so far: { $visits }. Follow-up lasts 15 years after the infusion.
follow-up-visit = Visit { $visit }
follow-up-date = Date of the visit
follow-up-disease = Disease status
follow-up-immunosuppression = Immunosuppression
follow-up-adverse = Adverse events
follow-up-adverse-hint = One per line: the term, a semicolon, then its CTCAE grade (1 to 5), e.g. "cytokine release syndrome; 2".
follow-up-adverse-line = Write this line as the term, a semicolon and a grade from 1 to 5: { $line }
follow-up-malignancy = A secondary malignancy?
follow-up-notes = Notes
