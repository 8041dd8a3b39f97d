"""Attendance (émargement): signing a slot's sheet, the trainer's board, certification, the proof chain.

Every fact is an `AttendanceRecord` appended to its organisation's hash chain:
signatures, marks (absent, late), the certification that locks a sheet, and
corrections made after it. Nothing is ever updated or deleted (except the
erasure of personal fields), so `chain.verify_chain` finds any later
edit, deletion, truncation or reordering.

One module per seam:

- `window`: the gate to a slot's sheet (`slot_context`), its signing window, its QR code, its times.
- `drawing`: the signature pad's strokes, checked, and the SVG we store.
- `sheet`: the records folded per person; the board and the learner's own line (`sheet_view`).
- `actions`: sign, sign as, mark, certify, correct.
- `status`: the one rule of a person's status on a half-day (board column, PDF, report, completion).
- `completion`: in-person activities done once their half-days are attended.
- `summaries`: what other pages show (statuses of a slot, a session's slots, the sheets open now).
- `join`: may this person join the virtual class now (its sheet, the session page's panel, home).
- `chain`: the hash chain, its keys and its verification; `heads`: publishing its head; `pdf`: the sheets as PDF.

Import the module you need (`from app.services.attendance import actions`); this package re-exports nothing.
"""
