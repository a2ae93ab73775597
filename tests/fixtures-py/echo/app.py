"""python-echo: the Capsule worker contract implemented in Python.

Built with componentize-py (see ../build.sh). Returns its `text` input with
its length (in Unicode code points) and the language it was written in.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import job_context
from wit_world.imports.types import Descriptor, Example, Failure, Job, Level, Mode

INPUT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"text": {"type": "string"}},
    "required": ["text"],
    "additionalProperties": False,
}

OUTPUT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "length": {"type": "integer", "minimum": 0},
        "language": {"const": "python"},
    },
    "required": ["text", "length", "language"],
    "additionalProperties": False,
}


class Worker(exports.Worker):
    def describe(self) -> Descriptor:
        return Descriptor(
            name="python-echo",
            version="0.1.0",
            summary="Echoes `text` with its length; written in Python",
            input_schema=json.dumps(INPUT_SCHEMA),
            output_schema=json.dumps(OUTPUT_SCHEMA),
            mode=Mode.SYNC,
            examples=[
                Example(
                    name="hello",
                    input=json.dumps({"text": "hello"}),
                    expect=json.dumps({"text": "hello", "length": 5, "language": "python"}),
                )
            ],
        )

    def run(self, job: Job) -> str:
        text = json.loads(job.input)["text"]
        job_context.progress(50, "echoing", f"echoing {len(text)} characters")
        job_context.log(Level.INFO, f"python-echo echoing {len(text)} characters for {job.id}")
        if text == "":
            raise Err(Failure(code="PYECHO_EMPTY", message="`text` must not be empty.", retryable=False))
        return json.dumps({"text": text, "length": len(text), "language": "python"})
