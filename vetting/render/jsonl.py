"""JSON Lines output of `vet batch`: one object per roster row, for scripts and pipelines.

Each line is `{"row": N, "line": L, "input": {column: cell, ...}}` followed by
`part_count` and `deciding_part`, then every key of `vet unit --format json` (a
row that cannot be vetted has verdict `ERROR`, its reasons, and no matches); a
unit cell of several parts adds `parts`, each part's own answer. Lines come in
roster order.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO

from vetting.render import renderer
from vetting.roster import Batch


@renderer("batch", "jsonl")
def batch_jsonl(batch: Batch, stream: TextIO) -> None:
    # Rows that ask the same query share one answer: it is encoded once, and each
    # row's own keys are put in front of it. An encoding is kept only until the last
    # row that shares it is written.
    uses = Counter(id(result.answer) for result in batch.results)
    encoded: dict[int, str] = {}
    for result in batch.results:
        if result.answer is None or result.parts:
            stream.write(json.dumps(result.to_dict(batch), ensure_ascii=False) + "\n")
            continue
        key = id(result.answer)
        answer = encoded.get(key)
        if answer is None:
            answer = json.dumps(result.answer.to_dict(), ensure_ascii=False)
        uses[key] -= 1
        if uses[key]:
            encoded[key] = answer
        else:
            encoded.pop(key, None)
        row = json.dumps(result.head(), ensure_ascii=False)
        stream.write(f"{row[:-1]}, {answer[1:]}\n")
