//! Diesel table definitions, generated from the migrations with `diesel print-schema`.

// @generated automatically by Diesel CLI.

diesel::table! {
    alert_recipients (alert_id, user_id) {
        organization_id -> Uuid,
        alert_id -> Uuid,
        user_id -> Uuid,
    }
}

diesel::table! {
    alerts (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        kind -> Text,
        severity -> Text,
        message -> Text,
        source_type -> Text,
        source_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        acknowledged_at -> Nullable<Timestamptz>,
        acknowledged_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        organization_id -> Uuid,
        name -> Text,
        scopes -> Array<Nullable<Text>>,
        prefix -> Text,
        key_hash -> Bytea,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        provider_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    appointments (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        provider_name -> Text,
        kind -> Text,
        scheduled_at -> Timestamptz,
        location -> Nullable<Text>,
        status -> Text,
        status_changed_at -> Nullable<Timestamptz>,
        notes -> Nullable<Text>,
        source -> Text,
        external_id -> Nullable<Text>,
        followup_task_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        synced_version -> Nullable<Int4>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Int8,
        organization_id -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
        actor_type -> Text,
        actor_id -> Nullable<Uuid>,
        actor_label -> Nullable<Text>,
        action -> Text,
        patient_id -> Nullable<Uuid>,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    care_team_members (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        user_id -> Nullable<Uuid>,
        name -> Nullable<Text>,
        organization_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        role -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    care_plan_versions (care_plan_id, version) {
        organization_id -> Uuid,
        care_plan_id -> Uuid,
        version -> Int4,
        content -> Jsonb,
        changed_by -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    care_plans (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        version -> Int4,
        content -> Jsonb,
        review_due_on -> Date,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    chart_review_findings (id) {
        id -> Uuid,
        organization_id -> Uuid,
        chart_review_id -> Uuid,
        code -> Text,
        description -> Text,
        task_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    chart_reviews (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        reviewed_by -> Nullable<Uuid>,
        service_use -> Text,
        engagement -> Text,
        plan_adherence -> Text,
        summary -> Nullable<Text>,
        minutes -> Int4,
        note_id -> Uuid,
        reviewed_at -> Timestamptz,
    }
}

diesel::table! {
    education_records (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        topic -> Text,
        title -> Text,
        audience -> Text,
        contact_id -> Nullable<Uuid>,
        method -> Text,
        materials -> Nullable<Text>,
        understanding -> Text,
        language -> Text,
        interpreter_used -> Bool,
        provided_by -> Nullable<Uuid>,
        provided_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    scheduled_duties (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        kind -> Text,
        cycle -> Text,
        due_on -> Date,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    scheduler_runs (id) {
        id -> Uuid,
        started_at -> Timestamptz,
        finished_at -> Timestamptz,
        clock -> Timestamptz,
        runner -> Text,
        tasks_opened -> Int4,
        risks_updated -> Int4,
    }
}

diesel::table! {
    contacts (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        name -> Text,
        relationship -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        emergency_contact -> Bool,
        consent_scope -> Nullable<Text>,
        consent_starts_on -> Nullable<Date>,
        consent_expires_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    encounters (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        kind -> Text,
        facility -> Text,
        admitted_at -> Timestamptz,
        discharged_at -> Nullable<Timestamptz>,
        discharge_disposition -> Nullable<Text>,
        source -> Text,
        external_id -> Nullable<Text>,
        followup_task_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        synced_version -> Nullable<Int4>,
        cancelled_at -> Nullable<Timestamptz>,
        cancel_reason -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (organization_id, principal_id, key) {
        organization_id -> Uuid,
        principal_id -> Uuid,
        key -> Text,
        request_hash -> Bytea,
        status_code -> Int4,
        response_body -> Jsonb,
        location -> Nullable<Text>,
        created_at -> Timestamptz,
        resource_id -> Nullable<Uuid>,
        patient_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    login_throttle (email_digest) {
        email_digest -> Bytea,
        failures -> Int4,
        first_failed_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    note_addenda (id) {
        id -> Uuid,
        organization_id -> Uuid,
        note_id -> Uuid,
        author_id -> Nullable<Uuid>,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    notes (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        author_id -> Nullable<Uuid>,
        note_type -> Text,
        body -> Text,
        minutes -> Int4,
        occurred_at -> Timestamptz,
        task_id -> Nullable<Uuid>,
        signed_at -> Nullable<Timestamptz>,
        signed_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    organization_holidays (organization_id, date) {
        organization_id -> Uuid,
        date -> Date,
        name -> Text,
    }
}

diesel::table! {
    organizations (id) {
        id -> Uuid,
        name -> Text,
        time_zone -> Text,
        created_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    outreach_attempts (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        task_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        shared_scope -> Nullable<Text>,
        method -> Text,
        outcome -> Text,
        notes -> Nullable<Text>,
        occurred_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    patient_identifiers (patient_id, system, value) {
        organization_id -> Uuid,
        patient_id -> Uuid,
        system -> Text,
        value -> Text,
    }
}

diesel::table! {
    patient_status_changes (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Nullable<Text>,
        changed_by -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    patients (id) {
        id -> Uuid,
        organization_id -> Uuid,
        given_name -> Text,
        family_name -> Text,
        preferred_name -> Nullable<Text>,
        birth_date -> Date,
        sex -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address_line1 -> Nullable<Text>,
        address_line2 -> Nullable<Text>,
        address_city -> Nullable<Text>,
        address_state -> Nullable<Text>,
        address_postal_code -> Nullable<Text>,
        preferred_language -> Text,
        interpreter_needed -> Bool,
        insurance_payer -> Nullable<Text>,
        insurance_member_id -> Nullable<Text>,
        insurance_medicaid -> Bool,
        status -> Text,
        status_reason -> Nullable<Text>,
        primary_care_manager_id -> Nullable<Uuid>,
        risk_level -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        family_key -> Nullable<Text>,
        given_key -> Nullable<Text>,
        assessed_risk_level -> Nullable<Text>,
        risk_factors -> Array<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        organization_id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    screening_answers (screening_id, item) {
        organization_id -> Uuid,
        screening_id -> Uuid,
        item -> Text,
        value -> Jsonb,
    }
}

diesel::table! {
    risk_assessments (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        level -> Text,
        computed_level -> Text,
        points -> Int4,
        factors -> Jsonb,
        cause -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    risk_overrides (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        level -> Text,
        reason -> Text,
        until -> Date,
        set_by -> Nullable<Uuid>,
        at -> Timestamptz,
    }
}

diesel::table! {
    screenings (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        instrument -> Text,
        administered_at -> Timestamptz,
        total -> Nullable<Int4>,
        severity -> Text,
        positive -> Bool,
        flags -> Array<Text>,
        scored -> Jsonb,
        recorded_by -> Nullable<Uuid>,
        entered_in_error_at -> Nullable<Timestamptz>,
        entered_in_error_by -> Nullable<Uuid>,
        entered_in_error_reason -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sign_ins (id) {
        id -> Uuid,
        organization_id -> Uuid,
        user_id -> Uuid,
        started_at -> Timestamptz,
        last_active_at -> Timestamptz,
        expires_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
        end_reason -> Nullable<Text>,
    }
}

diesel::table! {
    tasks (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        assignee_id -> Nullable<Uuid>,
        kind -> Text,
        title -> Text,
        details -> Nullable<Text>,
        due_at -> Timestamptz,
        priority -> Text,
        status -> Text,
        outcome -> Nullable<Text>,
        transition_outcome -> Nullable<Jsonb>,
        cancel_reason -> Nullable<Text>,
        source_type -> Text,
        source_id -> Nullable<Uuid>,
        context -> Nullable<Jsonb>,
        created_by -> Nullable<Uuid>,
        completed_at -> Nullable<Timestamptz>,
        completed_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        patient_risk_rank -> Int2,
        band -> Int2,
        risk_rank -> Int2,
        outreach_outcomes -> Array<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        organization_id -> Uuid,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        last_login_at -> Nullable<Timestamptz>,
        session_epoch -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    postal_code_centroids (postal_code) {
        postal_code -> Text,
        latitude -> Float8,
        longitude -> Float8,
    }
}

diesel::table! {
    providers (id) {
        id -> Uuid,
        organization_id -> Uuid,
        name -> Text,
        kind -> Text,
        services -> Array<Nullable<Text>>,
        specialties -> Array<Nullable<Text>>,
        languages -> Array<Nullable<Text>>,
        payers -> Array<Nullable<Text>>,
        medicaid -> Bool,
        accepting_new_clients -> Bool,
        address_line1 -> Nullable<Text>,
        address_line2 -> Nullable<Text>,
        address_city -> Nullable<Text>,
        address_state -> Nullable<Text>,
        address_postal_code -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        phone -> Nullable<Text>,
        hours -> Nullable<Text>,
        network_status -> Text,
        notes -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        language_codes -> Array<Nullable<Text>>,
        payer_keys -> Array<Nullable<Text>>,
        located_latitude -> Nullable<Float8>,
        located_longitude -> Nullable<Float8>,
        quality_completion_rate -> Nullable<Float8>,
        quality_satisfaction -> Nullable<Float8>,
        base_score -> Float8,
        specialty_text -> Text,
    }
}

diesel::table! {
    provider_quality (organization_id, provider_id) {
        organization_id -> Uuid,
        provider_id -> Uuid,
        referrals -> Int8,
        completion_rate -> Nullable<Float8>,
        median_days -> Nullable<Float8>,
        no_show_rate -> Nullable<Float8>,
        satisfaction -> Nullable<Float8>,
        ratings -> Int8,
    }
}

diesel::table! {
    provider_activities (id) {
        id -> Uuid,
        organization_id -> Uuid,
        provider_id -> Uuid,
        kind -> Text,
        summary -> Text,
        occurred_at -> Timestamptz,
        recorded_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    provider_credentials (id) {
        id -> Uuid,
        organization_id -> Uuid,
        provider_id -> Uuid,
        name -> Text,
        reference -> Nullable<Text>,
        expires_on -> Date,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    service_criteria (organization_id, service) {
        organization_id -> Uuid,
        service -> Text,
        criteria -> Jsonb,
        version -> Int4,
        updated_by -> Nullable<Uuid>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    referrals (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        provider_id -> Uuid,
        service -> Text,
        priority -> Text,
        reason -> Text,
        need_id -> Nullable<Uuid>,
        intervention_id -> Nullable<Uuid>,
        due_date -> Date,
        status -> Text,
        sent_at -> Nullable<Timestamptz>,
        responded_at -> Nullable<Timestamptz>,
        scheduled_at -> Nullable<Timestamptz>,
        appointment_at -> Nullable<Timestamptz>,
        completed_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        outcome -> Nullable<Text>,
        status_reason -> Nullable<Text>,
        medical_necessity -> Nullable<Jsonb>,
        necessity_override_reason -> Nullable<Text>,
        satisfaction_rating -> Nullable<Int2>,
        satisfaction_comment -> Nullable<Text>,
        re_referral_of -> Nullable<Uuid>,
        overdue_alerted_on -> Nullable<Date>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    referral_status_changes (id) {
        id -> Uuid,
        organization_id -> Uuid,
        referral_id -> Uuid,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Nullable<Text>,
        party -> Text,
        actor_type -> Text,
        actor_id -> Nullable<Uuid>,
        actor_label -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    referral_barriers (id) {
        id -> Uuid,
        organization_id -> Uuid,
        referral_id -> Uuid,
        patient_id -> Uuid,
        kind -> Text,
        description -> Nullable<Text>,
        resolution -> Nullable<Text>,
        resolved_by -> Nullable<Uuid>,
        resolved_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    programs (id) {
        id -> Uuid,
        organization_id -> Uuid,
        name -> Text,
        kind -> Text,
        description -> Nullable<Text>,
        eligibility_notes -> Nullable<Text>,
        contact -> Nullable<Text>,
        renewal_months -> Nullable<Int4>,
        version -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    enrollments (id) {
        id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        program_id -> Uuid,
        status -> Text,
        referred_on -> Date,
        applied_on -> Nullable<Date>,
        enrolled_on -> Nullable<Date>,
        denied_on -> Nullable<Date>,
        exited_on -> Nullable<Date>,
        renewal_due_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    hl7_messages (id) {
        id -> Uuid,
        organization_id -> Uuid,
        sender -> Text,
        control_id -> Text,
        message_type -> Text,
        received_at -> Timestamptz,
        ack_code -> Text,
        error -> Nullable<Text>,
        ack -> Text,
        patient_id -> Nullable<Uuid>,
        encounter_id -> Nullable<Uuid>,
        principal_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    hl7_identifier_systems (organization_id, assigning_authority) {
        organization_id -> Uuid,
        assigning_authority -> Text,
        system -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    huddles (id) {
        id -> Uuid,
        organization_id -> Uuid,
        held_on -> Date,
        notes -> Nullable<Text>,
        recorded_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    huddle_attendees (huddle_id, user_id) {
        huddle_id -> Uuid,
        organization_id -> Uuid,
        user_id -> Uuid,
        position -> Int4,
    }
}

diesel::table! {
    huddle_patients (huddle_id, patient_id) {
        huddle_id -> Uuid,
        organization_id -> Uuid,
        patient_id -> Uuid,
        position -> Int4,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    huddle_action_items (id) {
        id -> Uuid,
        huddle_id -> Uuid,
        organization_id -> Uuid,
        position -> Int4,
        task_id -> Uuid,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        organization_id -> Uuid,
        url -> Text,
        events -> Array<Nullable<Text>>,
        description -> Nullable<Text>,
        active -> Bool,
        include_clinical_detail -> Bool,
        secret -> Text,
        secret_prefix -> Text,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Uuid,
        organization_id -> Uuid,
        #[sql_name = "type"]
        type_ -> Text,
        subject_id -> Uuid,
        occurred_at -> Timestamptz,
        data -> Jsonb,
        detail -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        organization_id -> Uuid,
        subscription_id -> Uuid,
        event_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        claimed_until -> Nullable<Timestamptz>,
        replay_requested_by -> Nullable<Uuid>,
        delivered_at -> Nullable<Timestamptz>,
        last_status_code -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Uuid,
        organization_id -> Uuid,
        delivery_id -> Uuid,
        number -> Int4,
        at -> Timestamptz,
        duration_ms -> Int4,
        status_code -> Nullable<Int4>,
        error -> Nullable<Text>,
        succeeded -> Bool,
        replayed_by -> Nullable<Uuid>,
    }
}

diesel::joinable!(api_keys -> organizations (organization_id));
diesel::joinable!(organization_holidays -> organizations (organization_id));
diesel::joinable!(patients -> organizations (organization_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));

diesel::allow_tables_to_appear_in_same_query!(
    alert_recipients,
    alerts,
    api_keys,
    appointments,
    audit_events,
    care_plan_versions,
    care_plans,
    care_team_members,
    chart_review_findings,
    chart_reviews,
    contacts,
    education_records,
    encounters,
    enrollments,
    hl7_identifier_systems,
    hl7_messages,
    huddle_action_items,
    huddle_attendees,
    huddle_patients,
    huddles,
    idempotency_keys,
    login_throttle,
    note_addenda,
    notes,
    organization_holidays,
    organizations,
    outreach_attempts,
    patient_identifiers,
    patient_status_changes,
    patients,
    postal_code_centroids,
    programs,
    provider_activities,
    provider_credentials,
    provider_quality,
    providers,
    referral_barriers,
    referral_status_changes,
    referrals,
    refresh_tokens,
    risk_assessments,
    risk_overrides,
    scheduled_duties,
    scheduler_runs,
    screening_answers,
    screenings,
    service_criteria,
    sign_ins,
    tasks,
    users,
    webhook_attempts,
    webhook_deliveries,
    webhook_events,
    webhook_subscriptions,
);
