"""Operations that answer with a file document the file's types for 200, not JSON: a client (and the API
fuzz, which checks each answer's Content-Type against the document) would otherwise expect JSON and fail."""

import pytest

from gongzhi.api.api import api

FILES = {
    ("/api/v1/topics/{topic_id}/attachments/{attachment_id}", "get"): {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/webp",
    },
    ("/api/v1/meetings/{meeting_id}/attachments/{attachment_id}", "get"): {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/webp",
    },
    ("/api/v1/reports/{report_id}/{kind}", "get"): {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
}


@pytest.mark.parametrize(("path", "method"), sorted(FILES))
def test_a_file_download_documents_its_types(path, method):
    operation = api.get_openapi_schema()["paths"][path][method]
    ok = operation["responses"][200]
    assert set(ok["content"]) == FILES[(path, method)]
    assert all(c["schema"]["format"] == "binary" for c in ok["content"].values())
    assert "application/json" in operation["responses"][404]["content"]


def test_no_json_response_is_documented_as_bytes():
    """``response={200: bytes}`` documents a JSON string; a file answer must use ``file_download``."""
    offenders = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            for status, answer in operation.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("format") == "binary":
                    offenders.append((method, path, status))
    assert offenders == []
