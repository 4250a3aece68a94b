use super::*;
use crate::model::{Fact, Provenance};

fn release(tag: &str, published: &str, prerelease: bool) -> Release {
    Release {
        tag: tag.to_owned(),
        name: None,
        published: published.to_owned(),
        prerelease,
    }
}

/// Newest first, as the fetch writes them.
fn history(releases: Vec<Release>) -> History {
    let mut releases = releases;
    sort_newest_first(&mut releases);
    History {
        fetched: "2026-01-01".to_owned(),
        source: Source::Releases,
        releases,
    }
}

fn sample() -> History {
    history(vec![
        release("v1.0.0", "2023-01-10", false),
        release("v1.1.0", "2023-06-15", false),
        release("v1.2.0-rc.1", "2023-09-01", true),
        release("v1.2.0", "2023-10-20", false),
        release("v2.0.0", "2024-03-05", false),
        release("v2.1.0-beta", "2024-08-01", true),
    ])
}

#[test]
fn a_release_on_the_completion_day_is_the_one_covered() {
    let h = sample();
    assert_eq!(
        current_on(&h, "2023-06-15").map(|r| r.tag.as_str()),
        Some("v1.1.0")
    );
    assert_eq!(
        current_on(&h, "2023-06-14").map(|r| r.tag.as_str()),
        Some("v1.0.0")
    );
}

#[test]
fn no_release_before_the_completion_date_infers_nothing() {
    assert_eq!(current_on(&sample(), "2022-12-31"), None);
    assert_eq!(current_on(&history(vec![]), "2024-01-01"), None);
}

#[test]
fn a_month_precision_date_covers_its_whole_month() {
    let h = sample();
    assert_eq!(current_on(&h, "2023-10").map(|r| r.tag.as_str()), Some("v1.2.0"));
    assert_eq!(current_on(&h, "2023-09").map(|r| r.tag.as_str()), Some("v1.1.0"));
}

#[test]
fn prereleases_never_count() {
    let h = sample();
    // The rc of 2023-09-01 is newer than v1.1.0 but is not what the assessment covered.
    assert_eq!(
        current_on(&h, "2023-09-30").map(|r| r.tag.as_str()),
        Some("v1.1.0")
    );
    // The beta of 2024-08 is newer than v2.0.0 but is not the latest release.
    assert_eq!(latest(&h).map(|r| r.tag.as_str()), Some("v2.0.0"));
    let only_pre = history(vec![release("v0.1.0-alpha", "2024-01-01", true)]);
    assert_eq!(latest(&only_pre), None);
    assert_eq!(current_on(&only_pre, "2025-01-01"), None);
    // Nor are they counted in the lag: v1.1.0 is two full releases behind.
    let covered = current_on(&h, "2023-07").expect("a release");
    let newest = latest(&h).expect("a release");
    assert_eq!(
        lag(&h, Covered::Release(covered), newest),
        Lag {
            releases: 2,
            months: Some(8)
        }
    );
    // A stated version may name one all the same.
    assert_eq!(
        named(&h, "v1.2.0-rc.1").map(|r| r.published.as_str()),
        Some("2023-09-01")
    );
}

#[test]
fn stated_versions_are_found_by_tag_or_number() {
    let h = sample();
    assert_eq!(named(&h, "1.1").map(|r| r.tag.as_str()), Some("v1.1.0"));
    assert_eq!(named(&h, "v3.0.0"), None);
    let newest = latest(&h).expect("a release");
    // Not in the data: counted by version number, with no months.
    assert_eq!(
        lag(&h, Covered::Version("1.1.5"), newest),
        Lag {
            releases: 2,
            months: None
        }
    );
    assert_eq!(
        lag(&h, Covered::Release(newest), newest),
        Lag {
            releases: 0,
            months: Some(0)
        }
    );
}

#[test]
fn months_are_whole_months() {
    assert_eq!(months_between("2023-01-31", "2023-02-28"), Some(0));
    assert_eq!(months_between("2023-01-15", "2023-02-15"), Some(1));
    assert_eq!(months_between("2022-11-20", "2024-03-05"), Some(15));
    assert_eq!(months_between("2024-03-05", "2023-01-01"), Some(0));
    assert_eq!(months_between("soon", "2023-01-01"), None);
    assert_eq!(
        Lag {
            releases: 1,
            months: Some(1)
        }
        .label(),
        "1 release and 1 month"
    );
    assert_eq!(
        Lag {
            releases: 3,
            months: None
        }
        .label(),
        "3 releases"
    );
}

#[test]
fn repositories_from_urls() {
    let repo = |url: &str| Repo::from_url(url).map(|r| r.key());
    assert_eq!(
        repo("https://github.com/acme/rocket"),
        Some("acme/rocket".to_owned())
    );
    assert_eq!(
        repo("https://github.com/acme/rocket.git"),
        Some("acme/rocket".to_owned())
    );
    assert_eq!(
        repo("http://www.github.com/acme/rocket/tree/main/x"),
        Some("acme/rocket".to_owned())
    );
    assert_eq!(repo("https://github.com/acme"), None);
    assert_eq!(repo("https://github.com/acme/"), None);
    assert_eq!(repo("https://gitlab.com/acme/rocket"), None);
    assert_eq!(repo("https://github.com/acme/../x"), None);
    assert_eq!(repo("https://github.com.evil/acme/rocket"), None);
}

#[test]
fn a_units_repository_is_its_first_github_repository() {
    let fact = |value: &str| Fact {
        value: value.to_owned(),
        raw: value.to_owned(),
        source: Provenance::Inferred {
            reason: String::new(),
        },
    };
    let mut unit = Unit {
        slug: "rocket".to_owned(),
        name: "Rocket".to_owned(),
        dir: "projects/rocket".into(),
        documents: vec![],
        assets: vec![],
        facts: Default::default(),
        meta: Default::default(),
    };
    unit.facts.insert(
        FactKey::Software,
        fact("https://rocket.example, https://github.com/acme, https://github.com/acme/rocket, https://github.com/acme/pad"),
    );
    unit.facts
        .insert(FactKey::SourceCode, fact("https://github.com/acme/engine"));
    let found = unit_repos(&unit);
    assert_eq!(found.primary.map(|r| r.key()), Some("acme/engine".to_owned()));
    assert_eq!(
        found.skipped,
        ["https://rocket.example", "https://github.com/acme"]
    );
}

#[test]
fn the_data_file_round_trips_and_names_its_bad_lines() {
    let data = Data {
        format: FORMAT,
        repositories: BTreeMap::from([("acme/rocket".to_owned(), sample())]),
    };
    let text = data.to_json();
    assert_eq!(Data::parse(&text, "releases.json"), Ok(data));
    let bad_date = text.replace("2023-06-15", "2023-06-31");
    let err = Data::parse(&bad_date, "releases.json").err();
    let line = text.lines().position(|l| l.contains("2023-06-15")).map(|i| i + 1);
    assert_eq!(err.as_ref().map(|d| d.line), Some(line));
    assert_eq!(err.map(|d| d.code), Some("coverage/releases".to_owned()));
    let other_format = text.replace("\"format\": 1", "\"format\": 7");
    assert_eq!(
        Data::parse(&other_format, "r.json").err().map(|d| d.line),
        Some(Some(2))
    );
    let unknown = text.replacen("\"tag\"", "\"tags\"", 1);
    assert!(Data::parse(&unknown, "r.json").is_err());
    let broken = "{\n  \"format\": 1,\n  \"repositories\": {\n    \"a/b\": 7\n  }\n}\n";
    assert_eq!(Data::parse(broken, "r.json").err().map(|d| d.line), Some(Some(4)));
}
