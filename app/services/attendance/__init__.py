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
- `summaries`: what other pages show (statuses of a slot, a session's slots, the sheets open now).
- `chain`: the hash chain, its keys and its verification; `heads`: publishing its head; `pdf`: the sheets as PDF.

Import the module you need (`from app.services.attendance import actions`); this package re-exports nothing.
"""
