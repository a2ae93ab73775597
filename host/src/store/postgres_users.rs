//! Accounts in the PostgreSQL store.

use async_trait::async_trait;

use super::{NewUser, PgStore, StoreError, UserRecord, UserStore};

#[async_trait]
impl UserStore for PgStore {
    async fn insert_user(&self, user: NewUser<'_>) -> Result<UserRecord, StoreError> {
        let row = sqlx::query_as::<_, UserRecord>(
            "INSERT INTO users (name, email, password_hash, auth_provider, subject, is_active, is_verified, created_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7) RETURNING *",
        )
        .bind(user.name)
        .bind(user.email)
        .bind(user.password_hash)
        .bind(user.auth_provider)
        .bind(user.subject)
        .bind(user.is_verified)
        .bind(user.created_at)
        .fetch_one(self.pool())
        .await?;
        Ok(row)
    }

    async fn user(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(self.pool()).await?)
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE email = $1").bind(email).fetch_optional(self.pool()).await?)
    }

    async fn user_by_subject(&self, provider: &str, subject: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE auth_provider = $1 AND subject = $2")
            .bind(provider)
            .bind(subject)
            .fetch_optional(self.pool())
            .await?)
    }
}
