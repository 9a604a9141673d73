// @generated automatically by Diesel CLI.

diesel::table! {
    batches (batch_number) {
        batch_number -> Text,
        coi -> Text,
        template_code -> Text,
        template_version -> Integer,
        patient_code -> Text,
        treating_site -> Text,
        state -> Text,
        open_deviations -> Integer,
        position -> BigInt,
        created_at -> Text,
    }
}

diesel::table! {
    attachments (sha256) {
        sha256 -> Text,
        content_type -> Text,
        size -> BigInt,
        bytes -> Binary,
    }
}

diesel::table! {
    equipment (equipment_id) {
        equipment_id -> Text,
        equipment_kind -> Text,
        calibration_due -> Text,
        last_calibrated -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (username, key) {
        username -> Text,
        key -> Text,
        fingerprint -> Text,
        status -> Nullable<Integer>,
        content_type -> Nullable<Text>,
        etag -> Nullable<Text>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (seq) {
        seq -> BigInt,
        v -> Integer,
        stream -> Text,
        stream_seq -> BigInt,
        kind -> Text,
        actor -> Text,
        recorded_at -> Text,
        payload_sha256 -> Text,
        prev_hash -> Binary,
        stream_prev_hash -> Binary,
        hash -> Binary,
        entry_bytes -> Binary,
        payload_bytes -> Binary,
    }
}

diesel::table! {
    ledger_head (id) {
        id -> Integer,
        next_seq -> BigInt,
        head_hash -> Binary,
    }
}

diesel::table! {
    lot_usage (batch_number, seq, field_id) {
        lot_id -> Text,
        batch_number -> Text,
        step_id -> Text,
        record -> Integer,
        field_id -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    lots (lot_id) {
        lot_id -> Text,
        material -> Text,
        lot_number -> Text,
        supplier -> Text,
        expiry -> Text,
        certificate -> Nullable<Text>,
        status -> Text,
    }
}

diesel::table! {
    checkpoints (size) {
        size -> BigInt,
        root_hash -> Binary,
        note -> Text,
        signed_at -> Text,
    }
}

diesel::table! {
    tree_heads (size) {
        size -> BigInt,
        root_hash -> Binary,
        last_hash -> Binary,
        signed_at -> Text,
        note -> Text,
    }
}

diesel::table! {
    merkle_nodes (level, idx) {
        level -> Integer,
        idx -> BigInt,
        hash -> Binary,
    }
}

diesel::table! {
    open_deviation_rows (batch_number, deviation_id) {
        batch_number -> Text,
        deviation_id -> Integer,
        description -> Text,
        automatic -> Bool,
        step_title -> Nullable<Text>,
        raised_by -> Text,
        raised_at -> Text,
        classification -> Nullable<Text>,
        seq -> BigInt,
    }
}

diesel::table! {
    password_history (username, set_at) {
        username -> Text,
        password_hash -> Text,
        set_at -> Timestamp,
    }
}

diesel::table! {
    pending_verifications (batch_number, step_id, record) {
        batch_number -> Text,
        step_id -> Text,
        record -> Integer,
        role -> Text,
        performed_by -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        username -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        end_reason -> Nullable<Text>,
        seal -> Nullable<Text>,
    }
}

diesel::table! {
    signatures (signature_seq, entry_seq) {
        signature_seq -> BigInt,
        entry_seq -> BigInt,
        entry_hash -> Binary,
        signer -> Text,
        meaning -> Text,
    }
}

diesel::table! {
    templates (code, version) {
        code -> Text,
        version -> Integer,
        title -> Text,
        status -> Text,
        source_sha256 -> Text,
        imported_by -> Text,
        approved_by -> Nullable<Text>,
    }
}

diesel::table! {
    users (username) {
        username -> Text,
        full_name -> Text,
        roles -> Text,
        active -> Bool,
        must_change_password -> Bool,
        password_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        failed_attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        roles_pending -> Text,
        acknowledged_at -> Nullable<Timestamp>,
        seal -> Nullable<Text>,
    }
}

diesel::table! {
    waiting_correction_rows (batch_number, correction_id) {
        batch_number -> Text,
        correction_id -> Integer,
        step_title -> Text,
        record -> Integer,
        field_label -> Text,
        field_kind -> Text,
        unit -> Nullable<Text>,
        previous -> Nullable<Text>,
        value -> Text,
        reason -> Text,
        corrected_by -> Text,
        corrected_at -> Text,
        status -> Text,
        seq -> BigInt,
    }
}

diesel::joinable!(password_history -> users (username));
diesel::joinable!(sessions -> users (username));

diesel::allow_tables_to_appear_in_same_query!(
    attachments,
    batches,
    checkpoints,
    equipment,
    idempotency_keys,
    ledger_entries,
    ledger_head,
    lot_usage,
    lots,
    merkle_nodes,
    open_deviation_rows,
    password_history,
    pending_verifications,
    sessions,
    signatures,
    templates,
    tree_heads,
    users,
    waiting_correction_rows,
);
