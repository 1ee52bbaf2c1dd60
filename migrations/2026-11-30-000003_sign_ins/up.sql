-- One row per sign-in: the family its refresh tokens rotate in (same id)
-- and what its access tokens name as `sid`. The server checks it on every
-- request, so ending a sign-in (logout, a reused refresh token, inactivity,
-- its absolute lifetime) ends its access tokens at once.
CREATE TABLE sign_ins (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    user_id          uuid NOT NULL REFERENCES users (id),
    started_at       timestamptz NOT NULL,
    last_active_at   timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    end_reason       text CHECK (end_reason IN
        ('signed_out', 'idle', 'expired', 'refresh_token_reused', 'sessions_ended')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX sign_ins_open_by_user_idx ON sign_ins (user_id) WHERE ended_at IS NULL;

-- Refresh tokens from before sign-ins were tracked belong to none: their
-- holders sign in once more.
UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL;
