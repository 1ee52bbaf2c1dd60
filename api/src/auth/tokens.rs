//! Access tokens (HS256 JWTs, algorithm pinned, `exp`/`iss`/`aud` checked),
//! and the random secrets behind refresh tokens and API keys.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// `iss` of every access token.
pub const ISSUER: &str = "caremgr";
/// `aud` of every access token.
pub const AUDIENCE: &str = "caremgr-api";
/// Every API key starts with this, which tells it apart from a JWT.
pub const API_KEY_PREFIX: &str = "cmk_";

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user.
    pub sub: Uuid,
    /// The user's organization.
    pub org: Uuid,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Token id.
    pub jti: Uuid,
    /// The user's session epoch when issued; a token from an older epoch is refused.
    pub sep: i32,
    /// The sign-in the token belongs to: once it ends, so does the token.
    pub sid: Uuid,
}

/// Whom an access token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bearer {
    /// The user.
    pub user: Uuid,
    /// Their organization.
    pub org: Uuid,
    /// Their session epoch.
    pub sep: i32,
    /// The sign-in.
    pub sid: Uuid,
}

/// Keys and rules for access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Lifetime of an access token, in seconds.
    pub access_ttl_secs: i64,
    /// Lifetime of a refresh token, in seconds.
    pub refresh_ttl_secs: i64,
}

impl TokenKeys {
    /// Keys from the HMAC secret.
    pub fn new(secret: &[u8], access_ttl_secs: i64, refresh_ttl_secs: i64) -> Self {
        // `Validation::new` accepts exactly the one algorithm named: a token
        // claiming `none`, RS256 or HS512 is refused whatever its signature.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_secs,
            refresh_ttl_secs,
        }
    }

    /// A signed access token for `bearer`, issued at `now`.
    pub fn issue(&self, bearer: Bearer, now: DateTime<Utc>) -> Result<String, String> {
        let claims = Claims {
            sep: bearer.sep,
            sid: bearer.sid,
            sub: bearer.user,
            org: bearer.org,
            iat: now.timestamp(),
            exp: now.timestamp() + self.access_ttl_secs,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            jti: Uuid::new_v4(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())
    }

    /// The claims of a valid token; why it is not valid otherwise.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    "The access token has expired; refresh it or sign in again.".to_string()
                }
                _ => "The access token is not valid.".to_string(),
            })
    }
}

/// `n` bytes from the operating system's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// A URL-safe random secret carrying `n` bytes of entropy.
pub fn random_token(n: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(n))
}

/// SHA-256 of a high-entropy secret. Such secrets need no slow hash: they
/// cannot be guessed, only stolen, and the hash keeps a stolen database
/// from yielding usable tokens.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A new API key and the prefix shown to recognise it.
pub fn new_api_key() -> (String, String) {
    let key = format!("{API_KEY_PREFIX}{}", random_token(32));
    let prefix = key[..API_KEY_PREFIX.len() + 6].to_string();
    (key, prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    const SECRET: &[u8] = b"test-secret-that-is-long-enough-0123456789";

    fn keys() -> TokenKeys {
        TokenKeys::new(SECRET, 900, 3600)
    }

    fn forge(header: Header, claims: &Claims, secret: &[u8]) -> String {
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    fn claims_at(now: DateTime<Utc>) -> Claims {
        Claims {
            sub: Uuid::new_v4(),
            org: Uuid::new_v4(),
            iat: now.timestamp(),
            exp: now.timestamp() + 900,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            jti: Uuid::new_v4(),
            sep: 0,
            sid: Uuid::new_v4(),
        }
    }

    #[test]
    fn an_issued_token_verifies_and_names_the_user() {
        let user = Uuid::new_v4();
        let org = Uuid::new_v4();
        let sid = Uuid::new_v4();
        let bearer = Bearer {
            user,
            org,
            sep: 3,
            sid,
        };
        let token = keys().issue(bearer, Utc::now()).unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!(
            (claims.sub, claims.org, claims.sep, claims.sid),
            (user, org, 3, sid)
        );
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let token = forge(
            Header::new(Algorithm::HS256),
            &claims_at(Utc::now()),
            b"another-secret-another-secret-000",
        );
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn a_token_with_alg_none_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims_at(Utc::now())).unwrap());
        assert!(keys().verify(&format!("{header}.{body}.")).is_err());
    }

    #[test]
    fn a_token_using_another_hmac_algorithm_with_the_right_key_is_refused() {
        let token = forge(
            Header::new(Algorithm::HS512),
            &claims_at(Utc::now()),
            SECRET,
        );
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused_with_a_message_saying_so() {
        let then = Utc::now() - TimeDelta::hours(1);
        let token = forge(Header::new(Algorithm::HS256), &claims_at(then), SECRET);
        assert!(keys().verify(&token).unwrap_err().contains("expired"));
    }

    #[test]
    fn a_token_for_another_audience_or_issuer_is_refused() {
        let mut c = claims_at(Utc::now());
        c.aud = "someone-else".into();
        assert!(
            keys()
                .verify(&forge(Header::new(Algorithm::HS256), &c, SECRET))
                .is_err()
        );
        let mut c = claims_at(Utc::now());
        c.iss = "someone-else".into();
        assert!(
            keys()
                .verify(&forge(Header::new(Algorithm::HS256), &c, SECRET))
                .is_err()
        );
    }

    #[test]
    fn random_tokens_differ_and_api_keys_carry_their_prefix() {
        assert_ne!(random_token(32), random_token(32));
        let (key, prefix) = new_api_key();
        assert!(key.starts_with(&prefix));
        assert!(key.starts_with(API_KEY_PREFIX));
        assert!(key.len() > 40);
    }

    #[test]
    fn digests_are_stable_and_distinct() {
        assert_eq!(digest("a"), digest("a"));
        assert_ne!(digest("a"), digest("b"));
    }
}
