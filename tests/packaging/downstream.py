"""A downstream user's script, run by the wheel test inside a fresh virtualenv (not collected).

It imports both installed clients, makes one call each through httpx.MockTransport, maps one
error, and prints what it saw plus each distribution's metadata as JSON on stdout.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
import sys

import httpx
import reloop
import replyio


def reloop_handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/api/domain/v1/dom_1":
        return httpx.Response(
            200,
            json={
                "object": "domain",
                "id": "dom_1",
                "domain": "example.com",
                "status": "active",
                "userVerifiedDomain": True,
                "systemVerified": True,
                "customReturnPath": "inbound",
                "trackingSubdomain": "link",
                "isClickTrackingEnabled": False,
                "isOpenTrackingEnabled": False,
                "tls": "opportunistic",
                "isTrackingDomain": False,
                "isSendingEmailEnabled": True,
                "isReceivingEmailEnabled": True,
                "verificationFailedReason": None,
                "dnsRecords": [],
                "lastVerifiedAt": None,
                "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-02T00:00:00Z",
            },
        )
    return httpx.Response(404, json={"message": "Domain not found", "why": "no such id"})


def reply_handler(request: httpx.Request) -> httpx.Response:
    assert request.headers["authorization"] == "Bearer key-2"
    return httpx.Response(200, json={"userId": 7, "username": "ada", "teamId": 3})


def metadata(distribution: str, package: str) -> dict[str, object]:
    meta = importlib.metadata.metadata(distribution)
    return {
        "name": meta["Name"],
        "version": meta["Version"],
        "requires_python": meta["Requires-Python"],
        "requires_dist": meta.get_all("Requires-Dist") or [],
        "license": meta["License-Expression"] or meta["License"],
        "summary": meta["Summary"],
        "description_content_type": meta["Description-Content-Type"],
        "description": meta.get_payload() or meta["Description"] or "",
        "py_typed": importlib.resources.files(package).joinpath("py.typed").is_file(),
    }


def main() -> None:
    with reloop.Reloop(
        api_key="key-1", http_client=httpx.Client(transport=httpx.MockTransport(reloop_handler))
    ) as client:
        domain = client.domains.retrieve("dom_1")
        try:
            client.domains.retrieve("dom_missing")
            not_found = ""
        except reloop.NotFoundError as error:
            not_found = f"{error.status_code} {error.why}"
    with replyio.Reply(
        api_key="key-2", http_client=httpx.Client(transport=httpx.MockTransport(reply_handler))
    ) as reply:
        me = reply.whoami.retrieve()
    print(
        json.dumps(
            {
                "python": sys.executable,
                "files": {"reloop": reloop.__file__, "replyio": replyio.__file__},
                "versions": {"reloop": reloop.__version__, "replyio": replyio.__version__},
                "domain": domain.domain,
                "not_found": not_found,
                "user_id": me.user_id,
                "metadata": {
                    "reloop": metadata("reloop-client", "reloop"),
                    "replyio": metadata("replyio-client", "replyio"),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
