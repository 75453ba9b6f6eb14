"""The aging bucket sets of the demo schema (AR_AGING_BUCKETS / AR_AGING_BUCKET_LINES).

Reports age by the lines of a bucket set the way EBS stores them, so the demo seeds the sets a
Receivables install has: a 7-bucket set (Current, 1-30, 31-60, 61-90, 91-120, 121-180, 181+),
a 4-bucket set, and the 7 buckets plus a dispute-only line, where amounts in dispute are shown on
their own instead of in the bucket of their age.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sandbox.collectors import ebs_who

#: the lowest and highest DAYS_START/DAYS_TO EBS seeds use for open-ended lines
FAR_PAST_DAYS = -9999
FAR_FUTURE_DAYS = 9999999

SEVEN_BUCKETS = "7-Bucket Aging"
FOUR_BUCKETS = "4-Bucket Aging"
SEVEN_WITH_DISPUTE = "7-Bucket + Dispute"

_SEVEN = (
    (FAR_PAST_DAYS, 0, "CURRENT", "Current", None),
    (1, 30, "PAST_DUE", "1-30", "Days Past Due"),
    (31, 60, "PAST_DUE", "31-60", "Days Past Due"),
    (61, 90, "PAST_DUE", "61-90", "Days Past Due"),
    (91, 120, "PAST_DUE", "91-120", "Days Past Due"),
    (121, 180, "PAST_DUE", "121-180", "Days Past Due"),
    (181, FAR_FUTURE_DAYS, "PAST_DUE", "181+", "Days Past Due"),
)
_FOUR = (
    (FAR_PAST_DAYS, 0, "CURRENT", "Current", None),
    (1, 30, "PAST_DUE", "1-30", "Days Past Due"),
    (31, 60, "PAST_DUE", "31-60", "Days Past Due"),
    (61, FAR_FUTURE_DAYS, "PAST_DUE", "61+", "Days Past Due"),
)
_DISPUTE = ((FAR_PAST_DAYS, FAR_FUTURE_DAYS, "DISPUTE_ONLY", "In Dispute", None),)

#: id, name, description, lines (days start, days to, type, heading 1, heading 2)
BUCKET_SETS = (
    (1001, SEVEN_BUCKETS, "Standard seven-bucket aging", _SEVEN),
    (1002, FOUR_BUCKETS, "Four-bucket aging", _FOUR),
    (1003, SEVEN_WITH_DISPUTE, "Seven buckets, disputed amounts apart", _SEVEN + _DISPUTE),
)


def bucket_rows(today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """AR_AGING_BUCKETS and AR_AGING_BUCKET_LINES rows of the three sets."""
    stamp = dt.datetime.combine(today - dt.timedelta(days=900), dt.time(8, 0), tzinfo=dt.UTC)
    who = ebs_who(stamp)
    sets: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for bucket_id, name, description, set_lines in BUCKET_SETS:
        sets.append(
            {
                "aging_bucket_id": bucket_id,
                "bucket_name": name,
                "status": "A",
                "aging_type": "INTERVAL",
                "description": description,
                **who,
            }
        )
        for sequence, (start, to, line_type, heading1, heading2) in enumerate(set_lines, 1):
            lines.append(
                {
                    "aging_bucket_line_id": bucket_id * 10 + sequence,
                    "aging_bucket_id": bucket_id,
                    "bucket_sequence_num": sequence,
                    "days_start": start,
                    "days_to": to,
                    "type": line_type,
                    "report_heading1": heading1,
                    "report_heading2": heading2,
                    **who,
                }
            )
    return {"ar_aging_buckets": sets, "ar_aging_bucket_lines": lines}
