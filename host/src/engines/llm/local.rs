//! The local provider: a GGUF model run in-process by llama.cpp
//! (`llm-local`). The weights are loaded by the first generation that needs
//! them (start-up only checks the file: most hosts never use the bundled
//! model, and loading costs memory and a trial context) and then shared;
//! each generation gets its own context on a blocking thread, at most
//! `concurrency` at once.
//!
//! Cancelling: the job's future is dropped (cancel, deadline) or its token
//! fires; either sets the flag the sampler checks between tokens, so
//! sampling stops within one token's time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::config::LocalOptions;
use super::{Chat, Completion, Role};
use crate::engines::EngineError;

pub struct Local {
    options: LocalOptions,
    model_id: String,
    model: tokio::sync::OnceCell<Arc<llm_local::LocalModel>>,
    permits: Arc<Semaphore>,
}

/// Sets the stop flag when the call's future goes away, finished or not.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Local {
    pub fn new(options: LocalOptions) -> Result<Self, String> {
        if !options.path.is_file() {
            return Err(format!(
                "the model file {} does not exist: run the set-up (README: \"Models\") or point the alias at another GGUF file",
                options.path.display()
            ));
        }
        Ok(Self {
            model_id: llm_local::model_id_of(&options.path),
            permits: Arc::new(Semaphore::new(options.concurrency.max(1))),
            model: tokio::sync::OnceCell::new(),
            options,
        })
    }

    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// The weights, loaded on first use; a failed load is tried again by
    /// the next call.
    async fn model(&self) -> Result<Arc<llm_local::LocalModel>, EngineError> {
        let model = self.model.get_or_try_init(|| async {
            let o = &self.options;
            let load = llm_local::LoadOptions { path: o.path.clone(), threads: o.threads, context: o.context };
            let loaded = tokio::task::spawn_blocking(move || llm_local::LocalModel::load(&load))
                .await
                .map_err(|e| format!("loading it panicked: {e}"))?
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(Arc::new(loaded))
        });
        model.await.cloned().map_err(|why| {
            let path = self.options.path.display();
            EngineError::new(super::NOT_CONFIGURED, format!("the model file {path} could not be loaded: {why}"))
        })
    }

    pub async fn chat(
        &self,
        chat: &Chat,
        cancel: &CancellationToken,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Completion, EngineError> {
        // Held by the generation thread, not by this future: a cancelled
        // job's turn ends when its sampler has stopped, so `concurrency`
        // bounds the generations actually running.
        let turn = crate::engines::permit(&self.permits, super::NOT_CONFIGURED).await?;
        let request = llm_local::GenerateRequest {
            messages: chat
                .messages
                .iter()
                .map(|(role, content)| llm_local::Message {
                    role: match role {
                        Role::System => llm_local::Role::System,
                        Role::User => llm_local::Role::User,
                        Role::Assistant => llm_local::Role::Assistant,
                    },
                    content: content.clone(),
                })
                .collect(),
            max_tokens: chat.max_tokens,
            temperature: chat.temperature,
            stop: chat.stop.clone(),
            json_schema: chat.schema.clone(),
            seed: 0,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let _guard = StopOnDrop(stop.clone());
        let (tokens, mut received) = mpsc::unbounded_channel::<String>();
        let model = self.model().await?;
        let flag = stop.clone();
        let mut generation = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let mut on_piece = |piece: &str| {
                let _ = tokens.send(piece.to_string());
            };
            model.generate(&request, &mut on_piece, &|| flag.load(Ordering::Relaxed))
        });
        let mut stopping = false;
        let result = loop {
            tokio::select! {
                Some(piece) = received.recv() => on_token(&piece),
                _ = cancel.cancelled(), if !stopping => {
                    stop.store(true, Ordering::Relaxed);
                    stopping = true;
                }
                r = &mut generation => break r,
            }
        };
        while let Ok(piece) = received.try_recv() {
            on_token(&piece);
        }
        let generation = result
            .map_err(|e| EngineError::retryable(super::UPSTREAM_FAILED, format!("the local model crashed: {e}")))?
            .map_err(|e| match e {
                llm_local::LocalError::ContextTooLong { prompt_tokens, context } => EngineError::new(
                    super::CONTEXT_TOO_LONG,
                    format!("the prompt is {prompt_tokens} tokens; the local model's context holds {context}"),
                ),
                other => EngineError::new(super::UPSTREAM_FAILED, format!("the local model failed: {other}")),
            })?;
        Ok(Completion {
            truncated: matches!(generation.finish, llm_local::FinishReason::Length),
            text: generation.text,
            model: self.model_id.clone(),
            prompt_tokens: generation.prompt_tokens as u64,
            completion_tokens: generation.completion_tokens as u64,
        })
    }
}
