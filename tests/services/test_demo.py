"""The demo reads like a real community: each open proposal has its own discussion."""

from __future__ import annotations

from sqlmodel import Session, select

from agreements.demo import PROPOSALS, seed_demo
from agreements.models import Comment, Concern, Proposal


def test_each_open_proposal_has_its_own_question_answer_and_concern(db: Session) -> None:
    seed_demo(db)
    seen: set[str] = set()
    for demo in PROPOSALS:
        proposal = db.exec(select(Proposal).where(Proposal.title == demo.title)).one()
        comments = db.exec(select(Comment).where(Comment.proposal_id == proposal.id)).all()
        question = next(c for c in comments if c.kind == "question")
        answer = next(c for c in comments if c.parent_id == question.id)
        concern = db.exec(select(Concern).where(Concern.proposal_id == proposal.id)).one()
        assert answer.author_id == proposal.proposer_id
        assert question.author_id != proposal.proposer_id
        texts = {question.body, answer.body, concern.text}
        assert not texts & seen, "the same words appear on two proposals"
        seen |= texts
