# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The private module_utils layers the client composes: the path helper, handler versions,
write verification, and the spn_forms filter over module_utils/spn.py."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.filter.spn_forms import spn_forms
from ansible_collections.onefs.dr.plugins.module_utils._paths import (
    PathError,
    clean_path,
    ifs_path,
    is_under,
    namespace_url,
    rebase,
)
from ansible_collections.onefs.dr.plugins.module_utils._resources import api_path, pick_version
from ansible_collections.onefs.dr.plugins.module_utils._verify import first_object, is_subset


@pytest.mark.parametrize("raw, clean", [
    ("/ifs/a//b/", "/ifs/a/b"), ("//ifs/a", "/ifs/a"), ("", "/"), (None, "/"), ("/ifs/a/../b", "/ifs/b")])
def test_clean_path(raw, clean):
    assert clean_path(raw) == clean


@pytest.mark.parametrize("bad, words", [
    ("ifs/data", "must be an absolute path under /ifs"), ("/data/x", "outside /ifs"), ("/ifs/../etc", "outside /ifs"),
    (None, "must be an absolute path")])
def test_ifs_path_rejects_with_the_field(bad, words):
    with pytest.raises(PathError) as err:
        ifs_path(bad, "paths[1]")
    assert "paths[1]" in str(err.value) and words in str(err.value)


def test_ifs_path_raises_the_callers_error():
    class MyError(Exception):
        pass

    with pytest.raises(MyError):
        ifs_path("/tmp", "path", MyError)
    assert ifs_path("/ifs/z//d/", "path", MyError) == "/ifs/z/d"


@pytest.mark.parametrize("path, base, under", [
    ("/ifs/zone01", "/ifs/zone01", True), ("/ifs/zone01/x/", "/ifs/zone01", True),
    ("/ifs/zone01x", "/ifs/zone01", False), ("/ifs", "/", True), ("/ifs", "/ifs/zone01", False)])
def test_is_under(path, base, under):
    assert is_under(path, base) is under


@pytest.mark.parametrize("path, moved", [
    ("/ifs/a", "/ifs/b"), ("/ifs/a/x/y", "/ifs/b/x/y"), ("/ifs/ab", None), ("/ifs/c", None)])
def test_rebase(path, moved):
    assert rebase(path, "/ifs/a", "/ifs/b") == moved


def test_namespace_url_quotes_but_keeps_slashes():
    assert namespace_url("/ifs/a b/c%") == "/namespace/ifs/a%20b/c%25"


@pytest.mark.parametrize("resource, latest, version", [
    ("protocols/smb/shares/x", 16, 12), ("protocols/smb/shares", 23, 22), ("sync/policies/p", 17, 14),
    ("unknown/thing", 16, 16), ("quota/quotas", 10, 15)])
def test_pick_version(resource, latest, version):
    assert pick_version(resource, latest) == version


def test_api_path_quotes_each_name():
    assert api_path(12, "/protocols/smb/shares/", ["a/b c"]) == "/platform/12/protocols/smb/shares/a%2Fb%20c"


def test_verification_helpers():
    assert first_object({"shares": [{"name": "x"}]}) == {"name": "x"}
    assert first_object({"settings": {"a": 1}}) == {"a": 1}
    assert first_object([]) is None
    assert is_subset({"a": [{"b": 1}]}, {"a": [{"b": 1, "c": 2}], "d": 3})
    assert not is_subset({"a": [{"b": 1}]}, {"a": [{"b": 1}, {"b": 2}]})


def test_spn_forms_filter():
    assert spn_forms(["Data.Example.com", "files", "data.example.com"]) == [
        "HOST/Data", "HOST/Data.Example.com", "HOST/files"]
    assert spn_forms("data.example.com", lower=True) == ["host/data", "host/data.example.com"]
    with pytest.raises(AnsibleFilterError, match="not a DNS name"):
        spn_forms(["bad name"])
