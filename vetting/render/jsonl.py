"""JSON Lines output of `vet batch`: one object per roster row, for scripts and pipelines.

Each line is `{"row": N, "line": L, "input": {column: cell, ...}}` followed by
every key of `vet unit --format json` (a row that cannot be vetted has verdict
`ERROR`, its reasons, and no matches). Lines come in roster order.
"""

from __future__ import annotations

import json
from typing import TextIO

from vetting.render import renderer
from vetting.roster import Batch


@renderer("batch", "jsonl")
def batch_jsonl(batch: Batch, stream: TextIO) -> None:
    for result in batch.results:
        stream.write(json.dumps(result.to_dict(batch), ensure_ascii=False) + "\n")
