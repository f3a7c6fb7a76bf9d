"""The evaluation (§2.2) and form version (§3.3) examples of genesys-api.md, verbatim."""

import json

EVALUATION_JSON = r"""
{
  "id": "6f1c2a9e-3b7d-4c61-9a55-0d2e8b7f4a10",
  "name": "Evaluation",
  "conversation": { "id": "b0e3f1d2-7a44-4e1b-8c2d-5f6a7b8c9d01", "selfUri": "/api/v2/conversations/b0e3f1d2-7a44-4e1b-8c2d-5f6a7b8c9d01" },
  "evaluationForm": {
    "id": "9a7d4c3e-1111-4b2a-8f00-aa55bb66cc77",
    "name": "Inbound Support QA",
    "modifiedDate": "2025-02-10T09:00:00.000Z",
    "published": true,
    "contextId": "c0c0c0c0-2222-4d3e-9abc-0123456789ab",
    "selfUri": "/api/v2/quality/forms/evaluations/9a7d4c3e-1111-4b2a-8f00-aa55bb66cc77"
  },
  "evaluator": { "id": "e1e1e1e1-3333-4a4a-8b8b-c9c9c9c9c9c9", "selfUri": "/api/v2/users/e1e1e1e1-3333-4a4a-8b8b-c9c9c9c9c9c9" },
  "agent":     { "id": "a2a2a2a2-4444-4b4b-9c9c-d0d0d0d0d0d0", "selfUri": "/api/v2/users/a2a2a2a2-4444-4b4b-9c9c-d0d0d0d0d0d0" },
  "status": "FINISHED",
  "answers": {
    "totalScore": 62.5,
    "totalCriticalScore": 100.0,
    "totalNonCriticalScore": 57.142857,
    "maxTotalRawScore": 6.0,
    "maxTotalRawCriticalScore": 1.0,
    "anyFailedKillQuestions": false,
    "comments": "Good verification; resolution could be more complete.",
    "agentComments": "Thanks, will follow up next time.",
    "questionGroupScores": [
      {
        "questionGroupId": "g1-5555-4c4c-8d8d-000000000001",
        "totalScore": 80.0, "maxTotalScore": 80.0,
        "totalScoreUnweighted": 2.0, "maxTotalScoreUnweighted": 2.0,
        "totalCriticalScore": 40.0, "maxTotalCriticalScore": 40.0,
        "totalCriticalScoreUnweighted": 1.0, "maxTotalCriticalScoreUnweighted": 1.0,
        "totalNonCriticalScore": 40.0, "maxTotalNonCriticalScore": 40.0,
        "totalNonCriticalScoreUnweighted": 1.0, "maxTotalNonCriticalScoreUnweighted": 1.0,
        "markedNA": false, "systemMarkedNA": false,
        "questionScores": [
          { "questionId": "q1-6666-4d4d-8e8e-000000000001", "answerId": "a1-yes-0000-0000-000000000001", "score": 1, "markedNA": false, "systemMarkedNA": false, "failedKillQuestion": false },
          { "questionId": "q2-6666-4d4d-8e8e-000000000002", "answerId": "a2-yes-0000-0000-000000000003", "score": 1, "markedNA": false, "systemMarkedNA": false, "failedKillQuestion": false, "comments": "Verified DOB and postcode." }
        ]
      },
      {
        "questionGroupId": "g2-5555-4c4c-8d8d-000000000002",
        "totalScore": 120.0, "maxTotalScore": 240.0,
        "totalScoreUnweighted": 2.0, "maxTotalScoreUnweighted": 4.0,
        "totalCriticalScore": 0.0, "maxTotalCriticalScore": 0.0,
        "totalCriticalScoreUnweighted": 0.0, "maxTotalCriticalScoreUnweighted": 0.0,
        "totalNonCriticalScore": 120.0, "maxTotalNonCriticalScore": 240.0,
        "totalNonCriticalScoreUnweighted": 2.0, "maxTotalNonCriticalScoreUnweighted": 4.0,
        "markedNA": false, "systemMarkedNA": false,
        "questionScores": [
          { "questionId": "q3-6666-4d4d-8e8e-000000000003", "answerId": "a3-good-000-0000-000000000006", "score": 2, "markedNA": false, "systemMarkedNA": false, "failedKillQuestion": false },
          { "questionId": "q4-6666-4d4d-8e8e-000000000004", "score": 0, "markedNA": false, "systemMarkedNA": false, "comments": "Customer asked about a refund timeline." }
        ]
      }
    ]
  },
  "agentHasRead": true,
  "assignee": { "id": "e1e1e1e1-3333-4a4a-8b8b-c9c9c9c9c9c9", "selfUri": "/api/v2/users/e1e1e1e1-3333-4a4a-8b8b-c9c9c9c9c9c9" },
  "assigneeApplicable": true,
  "releaseDate": "2025-03-05T09:00:00.000Z",
  "assignedDate": "2025-03-04T10:00:00.000Z",
  "createdDate": "2025-03-04T10:00:00.000Z",
  "changedDate": "2025-03-06T16:22:41.812Z",
  "submittedDate": "2025-03-04T14:05:12.345Z",
  "queue": { "id": "d4d4d4d4-7777-4e4e-8f8f-111111111111", "name": "Support EN", "selfUri": "/api/v2/routing/queues/d4d4d4d4-7777-4e4e-8f8f-111111111111" },
  "mediaType": ["CALL"],
  "divisionIds": ["dddddddd-8888-4f4f-9a9a-222222222222"],
  "rescore": false,
  "conversationDate": "2025-03-03T15:30:00.000Z",
  "conversationEndDate": "2025-03-03T15:42:10.000Z",
  "neverRelease": false,
  "assigned": true,
  "isScoringIndex": false,
  "evaluationSource": { "id": "p0p0p0p0-9999-4a1a-8b2b-333333333333", "name": "Weekly sample", "type": "Policy" },
  "disputeCount": 0,
  "version": 1,
  "evaluationContextId": "ec000000-aaaa-4bbb-8ccc-444444444444",
  "selfUri": "/api/v2/quality/conversations/b0e3f1d2-7a44-4e1b-8c2d-5f6a7b8c9d01/evaluations/6f1c2a9e-3b7d-4c61-9a55-0d2e8b7f4a10"
}
"""

FORM_JSON = r"""
{
  "id": "9a7d4c3e-1111-4b2a-8f00-aa55bb66cc77",
  "name": "Inbound Support QA",
  "modifiedDate": "2025-02-10T09:00:00.000Z",
  "published": true,
  "contextId": "c0c0c0c0-2222-4d3e-9abc-0123456789ab",
  "weightMode": "SCALED",
  "evaluationSettings": { "revisionsEnabled": false, "disputesEnabled": false },
  "questionGroups": [
    {
      "id": "g1-5555-4c4c-8d8d-000000000001",
      "contextId": "gc1-aaaa-0000-0000-000000000001",
      "name": "Greeting & Verification",
      "defaultAnswersToHighest": false, "defaultAnswersToNA": false,
      "naEnabled": false, "weight": 40.0, "manualWeight": true,
      "questions": [
        { "id": "q1-6666-4d4d-8e8e-000000000001", "contextId": "qc1-bbbb-0000-0000-000000000001",
          "text": "Did the agent use the standard greeting?", "helpText": "Company name + own name.",
          "type": "multipleChoiceQuestion", "naEnabled": false, "commentsRequired": false,
          "isKill": false, "isCritical": false,
          "answerOptions": [
            { "id": "a1-yes-0000-0000-000000000001", "contextId": "ac1", "text": "Yes", "value": 1 },
            { "id": "a1-no--0000-0000-000000000002", "contextId": "ac2", "text": "No",  "value": 0 } ] },
        { "id": "q2-6666-4d4d-8e8e-000000000002", "contextId": "qc2-bbbb-0000-0000-000000000002",
          "text": "Did the agent verify the caller's identity?", "helpText": "",
          "type": "multipleChoiceQuestion", "naEnabled": false, "commentsRequired": true,
          "isKill": true, "isCritical": true,
          "answerOptions": [
            { "id": "a2-yes-0000-0000-000000000003", "contextId": "ac3", "text": "Yes", "value": 1 },
            { "id": "a2-no--0000-0000-000000000004", "contextId": "ac4", "text": "No",  "value": 0 } ] }
      ]
    },
    {
      "id": "g2-5555-4c4c-8d8d-000000000002",
      "contextId": "gc2-aaaa-0000-0000-000000000002",
      "name": "Resolution",
      "defaultAnswersToHighest": false, "defaultAnswersToNA": false,
      "naEnabled": true, "weight": 60.0, "manualWeight": true,
      "visibilityCondition": null,
      "questions": [
        { "id": "q3-6666-4d4d-8e8e-000000000003", "contextId": "qc3-bbbb-0000-0000-000000000003",
          "text": "How well was the issue resolved?", "helpText": "",
          "type": "multipleChoiceQuestion", "naEnabled": true, "commentsRequired": false,
          "isKill": false, "isCritical": false,
          "answerOptions": [
            { "id": "a3-exc--0000-0000-000000000005", "contextId": "ac5", "text": "Excellent", "value": 4 },
            { "id": "a3-good-000-0000-000000000006", "contextId": "ac6", "text": "Good",      "value": 2 },
            { "id": "a3-poor-000-0000-000000000007", "contextId": "ac7", "text": "Poor",      "value": 0 } ] },
        { "id": "q4-6666-4d4d-8e8e-000000000004", "contextId": "qc4-bbbb-0000-0000-000000000004",
          "text": "Notes on the customer's request", "type": "freeTextQuestion",
          "naEnabled": false, "commentsRequired": false, "isKill": false, "isCritical": false,
          "answerOptions": [] }
      ]
    }
  ],
  "selfUri": "/api/v2/quality/forms/evaluations/9a7d4c3e-1111-4b2a-8f00-aa55bb66cc77"
}
"""


def doc_evaluation() -> dict:
    return json.loads(EVALUATION_JSON)


def doc_form() -> dict:
    return json.loads(FORM_JSON)
