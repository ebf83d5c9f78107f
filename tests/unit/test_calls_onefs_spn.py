# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_spn: the exact PAPI exchanges (tests/unit/_calls.py) of check mode, adding SPNs, no-op
and the 409 OneFS answers for an SPN another account holds. OneFS replaces the SPN list whole,
with the AD credentials in the same PUT."""

from _calls import Call, connect

MODULE = "onefs_spn"
ADS = "/platform/14/auth/providers/ads/AD.EXAMPLE.COM"
ARGS = {"provider": "AD.EXAMPLE.COM", "names": ["x.example.com"], "state": "present",
        "ad_user": "administrator", "ad_password": "ad-secret"}
BASE = ["HOST/alpha", "HOST/alpha.ad.example.com"]
WITH_X = BASE + ["HOST/x", "HOST/x.example.com"]


def provider(spns):
    return {"name": "AD.EXAMPLE.COM", "machine_account": "ALPHA$", "hostname": "alpha.ad.example.com",
            "spns": list(spns), "recommended_spns": BASE, "extra_expected_spns": [], "dup_spns": []}


def read(spns):
    return Call("GET", ADS).query(check_duplicates=True).reply({"ads": [provider(spns)]})


def test_check_mode_reads_and_writes_nothing(papi):
    result = papi(MODULE, ARGS, [*connect(), read(BASE)], check_mode=True)
    assert result["changed"] is True and result["added"] == ["HOST/x", "HOST/x.example.com"]
    assert result["diff"] == {"before": {"ALPHA$": BASE}, "after": {"ALPHA$": WITH_X}}


def test_present_puts_the_whole_list_with_the_ad_credentials(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        read(BASE),
        Call("PUT", ADS).json({"spns": WITH_X, "user": "administrator", "password": "ad-secret"}).reply(),
    ])
    assert result["changed"] is True and result["spns"]["after"] == WITH_X
    assert result["missing"] == [] and result["unexpected"] == []
    assert "ad-secret" not in repr(result) and "hunter2" not in repr(result)


def test_no_op_sends_no_write(papi):
    result = papi(MODULE, ARGS, [*connect(), read(WITH_X)])
    assert result["changed"] is False and result["added"] == []


def test_conflict_names_the_account_and_the_fix(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        read(BASE),
        Call("PUT", ADS).json({"spns": WITH_X, "user": "administrator", "password": "ad-secret"}).error(
            409, "AEC_CONFLICT", "SPN HOST/x.example.com is registered on BETA$"),
    ])
    assert result["failed"] is True
    assert result["msg"].startswith("PUT https://cluster.example.com:8080%s: HTTP 409 AEC_CONFLICT: refusing to add SPNs to ALPHA$" % ADS)
    assert "ad-secret" not in repr(result)


def test_missing_credentials_fail_before_any_write(papi):
    args = {k: v for k, v in ARGS.items() if not k.startswith("ad_")}
    result = papi(MODULE, args, [*connect(), read(BASE)])
    assert result["failed"] is True and "ad_user and ad_password are not set" in result["msg"]


def test_constraints_fail_before_any_call(papi):
    """Declared in the argument spec (required_together, required_by, required_if): no call is made."""
    cases = [
        (dict(ARGS, ad_password=None), "parameters are required together: ad_user, ad_password"),
        (dict(ARGS, partner_provider="AD.EXAMPLE.COM"), "missing parameter(s) required by 'partner_provider': partner"),
        (dict(ARGS, remove_from_partner=True), "remove_from_partner is True but all of the following are missing: partner"),
        ({"provider": "AD.EXAMPLE.COM", "state": "absent"}, "state is absent but any of the following are missing: names, spns"),
    ]
    for args, words in cases:
        args = dict((k, v) for k, v in args.items() if v is not None)
        result = papi(MODULE, args, [])
        assert result["failed"] is True and words in result["msg"], (args, result["msg"])
        assert "ad-secret" not in result["msg"]
