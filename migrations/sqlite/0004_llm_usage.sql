-- Language-model tokens a job used, summed over its calls and attempts.
ALTER TABLE jobs ADD COLUMN llm_calls INTEGER;
ALTER TABLE jobs ADD COLUMN llm_prompt_tokens INTEGER;
ALTER TABLE jobs ADD COLUMN llm_completion_tokens INTEGER;
ALTER TABLE jobs ADD COLUMN llm_model TEXT;
