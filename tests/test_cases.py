"""Case schema and loading: the 12 cases validate, every bad-input kind gives one clear line."""

from __future__ import annotations

import copy
import typing

import pytest

from eip_analysis import paths
from eip_analysis.cases import case_path, load_case, load_cases, scan_cases
from eip_analysis.errors import InputError

from .conftest import MINI, one_line_error

BRIEF_IDS = [f"HK-0{i}" for i in range(1, 7)] + [f"TN-0{i}" for i in range(1, 7)]


class TestProjectCases:
    def test_all_twelve_cases_validate(self):
        cases = load_cases()
        assert sorted(cases) == BRIEF_IDS

    def test_every_number_has_a_source_or_the_word_assumption(self):
        for case in load_cases().values():
            for path, q, _ in case.quantities():
                assert len(q.source) >= 10, f"{case.id} {path}: source too short: {q.source!r}"

    def test_tra_noc_cases_are_labelled_illustrative(self):
        for cid, case in load_cases().items():
            if cid.startswith("TN"):
                assert case.is_illustrative
                assert "to be confirmed by the survey" in case.data_note

    def test_every_case_has_both_parties_and_a_transfer(self):
        for case in load_cases().values():
            parties = {c.party for c in case.capex} | {b.party for b in case.benefits}
            parties |= {o.party for o in case.opex}
            assert parties <= {"supplier", "receiver"}
            assert case.transfers, f"{case.id} has no transfer between the parties"

    def test_hash_of_case_file_is_recorded(self):
        case = load_case("HK-01")
        assert len(case.sha256) == 64 and case.source_file.endswith("HK-01.yaml")


class TestLoadCase:
    def test_by_id_and_by_path_agree(self):
        assert load_case(MINI) == load_case("MINI-01", MINI.parent)

    def test_unknown_id_lists_known_ids(self):
        with pytest.raises(InputError, match="one of the case ids.*MINI-01"):
            load_case("NOPE-01", MINI.parent)

    @pytest.mark.parametrize("bad", ["../x", "a b", "x;rm", "../../etc/passwd", ".hidden", ""])
    def test_id_that_is_not_a_plain_name(self, bad):
        with pytest.raises(InputError, match="plain name"):
            case_path(bad, paths.cases_dir())

    def test_scan_collects_errors_and_keeps_good_cases(self, write_case, mini_data):
        write_case(mini_data)
        write_case("id: [unclosed", name="BROKEN")
        results = {p.stem: r for p, r in scan_cases(write_case.folder)}
        assert results["MINI-01"].id == "MINI-01"
        assert isinstance(results["BROKEN"], InputError)


class TestBadInput:
    """Each kind of user mistake: one line naming the file, the field and what was expected."""

    def test_missing_field(self, write_case, mini_data):
        del mini_data["lifetime_years"]
        msg = one_line_error(write_case, mini_data)
        assert "lifetime_years" in msg and "required" in msg

    def test_wrong_type(self, write_case, mini_data):
        mini_data["capex"][0]["amount"]["value"] = "a lot"
        msg = one_line_error(write_case, mini_data)
        assert "capex[0].amount.value" in msg and "number" in msg

    def test_boolean_is_not_a_number(self, write_case, mini_data):
        mini_data["capex"][0]["amount"]["value"] = True
        assert "capex[0].amount.value" in one_line_error(write_case, mini_data)

    def test_negative_lifetime(self, write_case, mini_data):
        mini_data["lifetime_years"] = {"value": -5, "unit": "yr", "source": "assumption: x"}
        msg = one_line_error(write_case, mini_data)
        assert "lifetime_years" in msg and "from 1 to 50" in msg

    def test_negative_amount(self, write_case, mini_data):
        mini_data["opex"][0]["amount_per_year"]["value"] = -5000
        msg = one_line_error(write_case, mini_data)
        assert "opex.maintenance.amount_per_year" in msg and "non-negative" in msg

    def test_unknown_fuel(self, write_case, mini_data):
        mini_data["resource_flows"][0]["flow"] = "unobtainium"
        msg = one_line_error(write_case, mini_data)
        assert "resource_flows[0].flow" in msg and "coal_bituminous" in msg

    def test_unit_typo(self, write_case, mini_data):
        mini_data["resource_flows"][0]["baseline_per_year"]["unit"] = "tonnes/yr"
        msg = one_line_error(write_case, mini_data)
        assert "resource_flows[0].baseline_per_year.unit" in msg and "t/yr" in msg

    def test_price_unit_must_match_currency_and_quantity(self, write_case, mini_data):
        mini_data["benefits"][0]["unit_price"]["unit"] = "VND/t"
        msg = one_line_error(write_case, mini_data)
        assert "benefits[0].unit_price.unit" in msg and "USD/t" in msg

    def test_malformed_yaml(self, write_case):
        msg = one_line_error(write_case, "id: MINI-01\ncapex: [unclosed\n", name="MINI-01")
        assert "valid YAML" in msg and "line" in msg

    def test_python_object_tag(self, write_case):
        text = "id: !!python/object/apply:os.system ['echo pwned']\n"
        msg = one_line_error(write_case, text, name="EVIL-01")
        assert "without tags" in msg

    def test_id_that_is_not_a_plain_name_inside_the_file(self, write_case, mini_data):
        mini_data["id"] = "../x"
        msg = one_line_error(write_case, mini_data, name="MINI-01")
        assert "id" in msg and "plain name" in msg

    def test_id_must_match_file_name(self, write_case, mini_data):
        msg = one_line_error(write_case, mini_data, name="OTHER-01")
        assert "file name" in msg

    def test_misspelt_field(self, write_case, mini_data):
        mini_data["lifetime_yeras"] = mini_data.pop("lifetime_years")
        msg = one_line_error(write_case, mini_data)
        assert "lifetime_yeras" in msg or "lifetime_years" in msg

    def test_low_above_high(self, write_case, mini_data):
        mini_data["capex"][0]["amount"].update(low=130000, high=90000)
        msg = one_line_error(write_case, mini_data)
        assert "capex[0].amount" in msg and "low <= value <= high" in msg

    def test_unknown_distribution(self, write_case, mini_data):
        mini_data["capex"][0]["amount"]["distribution"] = "cauchy"
        msg = one_line_error(write_case, mini_data)
        assert "distribution" in msg and "triangular" in msg

    def test_empty_source(self, write_case, mini_data):
        mini_data["capex"][0]["amount"]["source"] = ""
        assert "capex[0].amount.source" in one_line_error(write_case, mini_data)

    def test_unknown_parameter_override(self, write_case, mini_data):
        mini_data["parameters"] = {"discount_rat": {"value": 0.1, "unit": "1/yr",
                                                    "source": "assumption: x"}}
        msg = one_line_error(write_case, mini_data)
        assert "parameters.discount_rat" in msg and "discount_rate" in msg

    def test_parameter_override_out_of_range(self, write_case, mini_data):
        mini_data["parameters"] = {"discount_rate": {"value": 1.5, "unit": "1/yr",
                                                     "source": "assumption: x"}}
        assert "parameters.discount_rate.value" in one_line_error(write_case, mini_data)

    def test_quantity_from_flow_must_name_a_flow_of_the_case(self, write_case, mini_data):
        mini_data["benefits"][0]["quantity_from_flow"] = "diesel"
        msg = one_line_error(write_case, mini_data)
        assert "benefits[0].quantity_from_flow" in msg and "coal_bituminous, wood" in msg

    def test_duplicate_line_names(self, write_case, mini_data):
        mini_data["capex"].append(copy.deepcopy(mini_data["capex"][0]))
        msg = one_line_error(write_case, mini_data)
        assert "capex[1].name" in msg and "not used before" in msg

    @pytest.mark.parametrize("text", [".nan", ".inf", "-.inf"])
    def test_nan_and_infinity_are_not_numbers(self, write_case, mini_data, text):
        path = write_case(mini_data)
        path.write_text(path.read_text().replace("value: 100000", f"value: {text}"))
        with pytest.raises(InputError, match=r"capex\[0\]\.amount\.value.*finite"):
            load_case(path)

    def test_lifetime_range_error_names_the_bound(self, write_case, mini_data):
        mini_data["lifetime_years"]["low"] = 0.6
        msg = one_line_error(write_case, mini_data)
        assert "lifetime_years.low" in msg and "whole number" in msg and "0.6" in msg

    def test_fractional_lifetime(self, write_case, mini_data):
        mini_data["lifetime_years"]["value"] = 10.4
        assert "lifetime_years.value" in one_line_error(write_case, mini_data)

    def test_capex_after_the_end_of_life(self, write_case, mini_data):
        mini_data["capex"][0]["year"] = 30
        msg = one_line_error(write_case, mini_data)
        assert "capex[0].year" in msg and "0-10" in msg

    def test_benefit_from_a_flow_that_rises(self, write_case, mini_data):
        mini_data["benefits"][0]["quantity_from_flow"] = "wood"
        assert "falls from baseline" in one_line_error(write_case, mini_data)

    def test_top_level_not_a_mapping(self, write_case):
        assert "mapping" in one_line_error(write_case, "- just\n- a list\n", name="LIST-01")


class TestReviewFields:
    """revisions, excludes, competes_for, accepted_warnings, capex kinds: validated by the schema."""

    REVISION: typing.ClassVar[dict] = {"date": "2026-12-01", "field": "capex.dryer.amount", "old": 90000,
                "new": 100000, "why": "quote received", "source": "assumption: fixture quote"}

    def test_revisions_are_read(self, mini_data, write_case):
        mini_data["revisions"] = [self.REVISION]
        case = load_case(write_case(mini_data))
        assert str(case.revisions[0].date) == "2026-12-01" and case.revisions[0].old == 90000

    @pytest.mark.parametrize("change, expected", [
        ({"date": "yesterday"}, "revisions[0].date: expected a valid date"),
        ({"why": ""}, "revisions[0].why: expected text with at least 1 character"),
        ({"source": None}, "revisions[0].source: expected a valid string"),
        ({"reviewer": "x"}, "revisions[0].reviewer: expected no such field"),
    ])
    def test_bad_revision(self, mini_data, write_case, change, expected):
        mini_data["revisions"] = [{**self.REVISION, **change}]
        assert expected in one_line_error(write_case, mini_data)

    def test_other_review_fields(self, mini_data, write_case):
        mini_data["excludes"] = [{"case": "MINI-01", "reason": "x"}]
        assert "excludes[0].case: expected another case's id" in one_line_error(
            write_case, mini_data)
        mini_data["excludes"] = []
        mini_data["competes_for"] = [{"resource": "husk", "flow": "rice_husk"}]
        assert "competes_for[0].flow: expected one of this case's resource flows" in (
            one_line_error(write_case, mini_data))
        mini_data["competes_for"] = []
        mini_data["capex"][0]["kind"] = "gold"
        assert "capex[0].kind: expected 'equipment'" in one_line_error(write_case, mini_data)

    def test_working_capital_is_released_at_the_end(self, mini_data, write_case):
        from eip_analysis.appraisal import appraise

        base = appraise(load_case(write_case(mini_data)))
        mini_data["capex"].append({
            "name": "stock", "description": "Fuel stock", "party": "receiver", "year": 0,
            "kind": "working_capital",
            "amount": {"value": 5000, "unit": "USD", "source": "assumption: two months"}})
        a = appraise(load_case(write_case(mini_data)))
        assert a.cashflows["salvage_usd"].iloc[-1] == 5000
        assert a.npv_usd - base.npv_usd == pytest.approx(-5000 + 5000 / 1.1 ** 10)


# -- issue 10: inputs that gave a wrong "ok" or a late, cryptic failure -----------------------


class TestHostileInputs:
    """Each bad file is its own one-line error; the other cases of the folder still load."""

    def _folder(self, tmp_path):
        folder = tmp_path / "cases"
        folder.mkdir()
        (folder / "MINI-01.yaml").write_text(MINI.read_text())
        return folder

    def _errors(self, folder):
        results = scan_cases(folder)
        good = [p.stem for p, r in results if not isinstance(r, InputError)]
        assert good == ["MINI-01"], "a bad file stopped the others"
        return {p.name: str(r) for p, r in results if isinstance(r, InputError)}

    def _variant(self, folder, name, change):
        import yaml

        data = yaml.safe_load(MINI.read_text())
        data["id"] = name
        change(data)
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))

    def test_files_that_are_not_regular_or_too_big(self, tmp_path):
        import os

        folder = self._folder(tmp_path)
        (folder / "DIR-01.yaml").mkdir()
        os.mkfifo(folder / "FIFO-01.yaml")
        (folder / "ZERO-01.yaml").symlink_to("/dev/zero")
        (folder / "BIG-01.yaml").write_text("# " + "x" * 2_100_000 + "\n")
        errors = self._errors(folder)  # returns: the FIFO is never opened, so never hangs
        assert errors["DIR-01.yaml"].endswith("expected a regular file, not a folder")
        assert errors["FIFO-01.yaml"].endswith("expected a regular file, not a FIFO")
        assert errors["ZERO-01.yaml"].endswith("expected a regular file, not a device")
        assert "expected a file of at most 2,000,000 bytes" in errors["BIG-01.yaml"]

    def test_deep_nesting_and_duplicate_keys(self, tmp_path):
        folder = self._folder(tmp_path)
        (folder / "DEEP-01.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
        (folder / "DEEP-02.yaml").write_text("a: " + "[" * 30 + "]" * 30 + "\n")
        text = MINI.read_text().replace("id: MINI-01", "id: DUP-01")
        (folder / "DUP-01.yaml").write_text(text.replace("currency: USD",
                                                         "currency: USD\ncurrency: VND"))
        errors = self._errors(folder)
        assert "expected valid YAML" in errors["DEEP-01.yaml"] or "nested at most" in errors[
            "DEEP-01.yaml"]
        assert errors["DEEP-02.yaml"].endswith("expected lists and mappings nested at most 20 "
                                               "deep")
        line = text.split("currency: USD")[0].count("\n") + 2
        assert errors["DUP-01.yaml"].endswith(f"DUP-01.yaml: line {line}: expected each key "
                                              "once in a mapping, got 'currency'")
        assert all("\n" not in e and "Traceback" not in e for e in errors.values())

    def test_magnitudes_lifetimes_and_exchange_rates(self, tmp_path):
        folder = self._folder(tmp_path)

        def price(d):
            d["capex"][0]["amount"] = {"value": 1e308, "unit": "USD", "source": "test"}

        def life(d):
            d["lifetime_years"].update(high=1_000_000)

        def long_life(d):
            d["lifetime_years"] = {"value": 100_000, "unit": "yr", "source": "test"}

        def fx(d):
            d["parameters"] = {"exchange_rate_vnd_per_usd": {"value": 1e-300,
                                                             "unit": "VND/USD",
                                                             "source": "test"}}

        def fx_inf(d):
            d["parameters"] = {"exchange_rate_vnd_per_usd": {"value": ".inf",
                                                             "unit": "VND/USD",
                                                             "source": "test"}}

        for name, change in (("BIG-01", price), ("LIFE-01", life), ("LIFE-02", long_life),
                             ("FX-01", fx), ("FX-02", fx_inf)):
            self._variant(folder, name, change)
        errors = self._errors(folder)
        assert "capex[0].amount.value: expected a finite number of magnitude at most 1e+13" in errors[
            "BIG-01.yaml"]
        assert "lifetime_years.high: expected a whole number of years from 1 to 50" in errors[
            "LIFE-01.yaml"]
        assert "lifetime_years.value: expected a whole number of years from 1 to 50" in errors[
            "LIFE-02.yaml"]
        for name in ("FX-01.yaml", "FX-02.yaml"):
            assert "parameters.exchange_rate_vnd_per_usd.value: expected a rate from 1,000 to " \
                   "100,000 [VND/USD]" in errors[name]

    def test_the_hash_is_of_the_bytes_on_disk(self, tmp_path):
        import hashlib

        path = tmp_path / "MINI-01.yaml"
        path.write_bytes(MINI.read_bytes().replace(b"\n", b"\r\n"))
        assert load_case(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    def test_an_unforeseen_error_is_that_case_s_line(self, tmp_path, monkeypatch):
        from eip_analysis import cases

        folder = self._folder(tmp_path)
        self._variant(folder, "BUG-01", lambda d: None)
        real = cases.parse_case

        def buggy(data, path, text=b""):
            if path.stem == "BUG-01":
                raise MemoryError("out of memory")
            return real(data, path, text)

        monkeypatch.setattr(cases, "parse_case", buggy)
        errors = self._errors(folder)
        assert errors["BUG-01.yaml"].endswith(
            "expected input the package can process (MemoryError: out of memory)")
