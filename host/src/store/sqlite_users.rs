//! Accounts in the embedded store.

use async_trait::async_trait;

use super::{NewUser, SqliteStore, StoreError, UserRecord, UserStore};

#[async_trait]
impl UserStore for SqliteStore {
    async fn insert_user(&self, user: NewUser<'_>) -> Result<UserRecord, StoreError> {
        let row = sqlx::query_as::<_, UserRecord>(
            "INSERT INTO users (name, email, password_hash, auth_provider, subject, is_active, is_verified, created_at)
             VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING *",
        )
        .bind(user.name)
        .bind(user.email)
        .bind(user.password_hash)
        .bind(user.auth_provider)
        .bind(user.subject)
        .bind(user.is_verified)
        .bind(user.created_at)
        .fetch_one(&self.admin_writer)
        .await?;
        Ok(row)
    }

    async fn user(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE id = ?").bind(id).fetch_optional(&self.reader).await?)
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE email = ?").bind(email).fetch_optional(&self.reader).await?)
    }

    async fn user_by_subject(&self, provider: &str, subject: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE auth_provider = ? AND subject = ?")
            .bind(provider)
            .bind(subject)
            .fetch_optional(&self.reader)
            .await?)
    }
}
