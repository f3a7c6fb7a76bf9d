"""People and places of the demo organisation: agents, evaluators, queues, a division, sampling policies."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .ids import stable_uuid

FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Lars",
    "Maya", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Yusuf",
]
LAST_NAMES = [
    "Okafor", "Lindqvist", "Moreau", "Petrov", "Garcia", "Haddad", "Nakamura", "Silva", "Novak", "Mensah",
    "Jensen", "Kowalski", "Patel", "Rossi", "Schmidt", "Tanaka", "Walsh", "Yilmaz", "Zhang", "Dubois",
]
AGENT_COUNT = 12
EVALUATOR_COUNT = 4


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    key: str
    media_type: str

    def ref(self) -> dict:
        return {"id": self.id, "name": self.name, "selfUri": f"/api/v2/routing/queues/{self.id}"}


class Directory:
    """Users (agents and evaluators), queues, the division and the evaluation policies, from the seed."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"{seed}|directory")
        names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        chosen = rng.sample(names, AGENT_COUNT + EVALUATOR_COUNT)
        self.agents = [_user(seed, "agent", k, chosen[k]) for k in range(AGENT_COUNT)]
        self.evaluators = [_user(seed, "evaluator", k, chosen[AGENT_COUNT + k]) for k in range(EVALUATOR_COUNT)]
        self.users = sorted(self.agents + self.evaluators, key=lambda user: user["name"])
        self.queues = [
            Queue(stable_uuid(seed, "queue", "support"), "Support EN", "support", "CALL"),
            Queue(stable_uuid(seed, "queue", "sales"), "Sales Inbound", "sales", "CALL"),
            Queue(stable_uuid(seed, "queue", "email"), "Email Care", "email", "EMAIL"),
        ]
        self.division_id = stable_uuid(seed, "division", "home")
        self.policies = [
            {"id": stable_uuid(seed, "policy", 0), "name": "Weekly sample", "type": "Policy"},
            {"id": stable_uuid(seed, "policy", 1), "name": "New hire review", "type": "Policy"},
        ]

    def queue_of_agent(self, agent_index: int) -> Queue:
        return self.queues[agent_index % len(self.queues)]


def user_ref(user: dict) -> dict:
    """How an evaluation refers to a user (`{id, selfUri}`; names only with `expand`)."""
    return {"id": user["id"], "selfUri": user["selfUri"]}


def _user(seed: int, role: str, index: int, name: str) -> dict:
    user_id = stable_uuid(seed, "user", role, index)
    return {"id": user_id, "name": name, "state": "active", "selfUri": f"/api/v2/users/{user_id}"}
