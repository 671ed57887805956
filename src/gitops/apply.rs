//! Carrying out a plan: creating the routes it creates (creation deploys them),
//! adding and deploying a version for each route it updates, in the plan's
//! order, and never deleting. Nothing is sent when the plan has an invalid
//! entry; the first request the service refuses (or that keeps failing) stops
//! the run, and the outcome says what was done and what was not.

use super::plan::{Action, Plan};
use crate::api::{ApiError, Client, VersionInfo};

/// One route carried out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Done {
    /// Created, and so deployed.
    Created {
        /// The route's name.
        name: String,
        /// Its new id.
        route_id: String,
        /// The deployed version, when the answer names it.
        version: Option<String>,
    },
    /// A version added and deployed.
    Updated {
        /// The route's name.
        name: String,
        /// Its id.
        route_id: String,
        /// The new, now deployed, version.
        version: String,
    },
}

/// Why apply stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// Some entries are invalid: nothing was sent.
    #[error("{0} route file(s) are invalid; nothing was sent")]
    Invalid(usize),
    /// A request failed: `done` were carried out, `failed` and `not_done` were not.
    #[error("{error}")]
    Stopped {
        /// What failed.
        error: Box<ApiError>,
        /// The route it failed on.
        failed: String,
        /// What was carried out before.
        done: Vec<Done>,
        /// What was left (names, in plan order), after `failed`.
        not_done: Vec<String>,
        /// For an update that failed at the deployment: the version added but
        /// not deployed.
        added_version: Option<String>,
    },
}

/// Carries out `plan`, calling `progress` after each route, and `before_deploy`
/// with the route's name and each new version (the service's verdict on it
/// included, when the version list gives one) before that version is deployed,
/// so a caller can warn about a version the service marks invalid.
pub fn apply(
    client: &Client,
    plan: &Plan,
    mut progress: impl FnMut(&Done),
    mut before_deploy: impl FnMut(&str, &VersionInfo),
) -> Result<Vec<Done>, ApplyError> {
    let invalid = plan.count(Action::Invalid);
    if invalid > 0 {
        return Err(ApplyError::Invalid(invalid));
    }
    let work: Vec<_> = plan
        .entries
        .iter()
        .filter(|e| matches!(e.action, Action::Create | Action::Update))
        .collect();
    let mut done = Vec::new();
    for (i, e) in work.iter().enumerate() {
        let mut added = None;
        let step = match (e.action, &e.route_id) {
            (Action::Update, Some(id)) => client
                .create_version_info(id, &e.elements)
                .and_then(|v| {
                    added = Some(v.id.clone());
                    before_deploy(&e.name, &v);
                    client.deploy(id, &v.id)?;
                    Ok(v.id)
                })
                .map(|version| Done::Updated {
                    name: e.name.clone(),
                    route_id: id.clone(),
                    version,
                }),
            _ => client.create_route(&e.name, &e.elements).and_then(|r| {
                let version = match r.deployed_version.clone() {
                    Some(v) => Some(v),
                    None => client.deployed_version(&r)?,
                };
                Ok(Done::Created {
                    name: e.name.clone(),
                    route_id: r.id,
                    version,
                })
            }),
        };
        match step {
            Ok(d) => {
                progress(&d);
                done.push(d);
            }
            Err(error) => {
                return Err(ApplyError::Stopped {
                    error: Box::new(error),
                    failed: e.name.clone(),
                    done,
                    not_done: work[i + 1..].iter().map(|e| e.name.clone()).collect(),
                    added_version: added,
                });
            }
        }
    }
    Ok(done)
}
