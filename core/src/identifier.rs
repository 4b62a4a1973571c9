//! Communication identifiers: typed values, raw ids, and the wire model.
//!
//! Raw-id rules follow the official SDKs (WIRE.md §3.2) so that an id received from the service
//! round-trips byte for byte.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The sovereign cloud a Teams user or app lives in.
///
/// Read case-insensitively: the official Python SDK sends `"PUBLIC"`, the spec and the JS SDK
/// `"public"`, and the service takes both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommunicationCloud {
    #[default]
    Public,
    Dod,
    Gcch,
}

impl CommunicationCloud {
    pub fn as_str(self) -> &'static str {
        match self {
            CommunicationCloud::Public => "public",
            CommunicationCloud::Dod => "dod",
            CommunicationCloud::Gcch => "gcch",
        }
    }
}

impl<'de> Deserialize<'de> for CommunicationCloud {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let value = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        value
            .parse()
            .map_err(|_| serde::de::Error::unknown_variant(&value, &["public", "dod", "gcch"]))
    }
}

/// Case-insensitive (`public`, `PUBLIC` as Python's enum spells it), the same rule as
/// [`crate::CallRejectReason`]'s; an unknown value is an `InvalidArgument` on `cloud`.
impl std::str::FromStr for CommunicationCloud {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self> {
        [
            CommunicationCloud::Public,
            CommunicationCloud::Dod,
            CommunicationCloud::Gcch,
        ]
        .into_iter()
        .find(|c| c.as_str().eq_ignore_ascii_case(value.trim()))
        .ok_or_else(|| Error::invalid("cloud", format!("`{value}` is not public, dod or gcch")))
    }
}

/// Who takes part in a call.
///
/// Two identifiers are equal when their raw ids are equal, as in the official SDKs.
///
/// ```
/// use callsteer::CommunicationIdentifier;
/// let phone = CommunicationIdentifier::phone_number("+16041234567");
/// assert_eq!(phone.raw_id(), "4:+16041234567");
/// let user = CommunicationIdentifier::from_raw_id("8:acs:resource_user");
/// assert_eq!(user, CommunicationIdentifier::communication_user("8:acs:resource_user"));
/// ```
#[derive(Debug, Clone)]
pub enum CommunicationIdentifier {
    /// An Azure Communication Services user; `id` is the whole raw id (`8:acs:…`).
    CommunicationUser { id: String },
    /// A phone number in E.164 form (`+16041234567`), or `anonymous` for a hidden caller.
    PhoneNumber {
        phone_number: String,
        /// The raw id as received, when it differs from `4:` + `phone_number`.
        raw_id: Option<String>,
    },
    /// A Microsoft Teams user (`8:orgid:…`), possibly an anonymous visitor.
    MicrosoftTeamsUser {
        user_id: String,
        is_anonymous: bool,
        cloud: CommunicationCloud,
        raw_id: Option<String>,
    },
    /// A Teams app / resource account (`28:orgid:…`).
    MicrosoftTeamsApp {
        app_id: String,
        cloud: CommunicationCloud,
        raw_id: Option<String>,
    },
    /// A Teams Phone user extending their Teams Phone through a Communication Services
    /// resource (`8:acs:<resource>_<tenant>_<user>`; `8:dod-acs:` / `8:gcch-acs:` in the
    /// sovereign clouds).
    TeamsExtensionUser {
        user_id: String,
        tenant_id: String,
        resource_id: String,
        cloud: CommunicationCloud,
        raw_id: Option<String>,
    },
    /// Anything else: kept verbatim.
    Unknown { id: String },
}

impl PartialEq for CommunicationIdentifier {
    fn eq(&self, other: &Self) -> bool {
        self.raw_id() == other.raw_id()
    }
}
impl Eq for CommunicationIdentifier {}

impl std::hash::Hash for CommunicationIdentifier {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw_id().hash(state)
    }
}

impl std::fmt::Display for CommunicationIdentifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw_id())
    }
}

impl CommunicationIdentifier {
    pub fn communication_user(id: impl Into<String>) -> Self {
        CommunicationIdentifier::CommunicationUser { id: id.into() }
    }

    pub fn phone_number(phone_number: impl Into<String>) -> Self {
        CommunicationIdentifier::PhoneNumber {
            phone_number: phone_number.into(),
            raw_id: None,
        }
    }

    pub fn teams_user(user_id: impl Into<String>) -> Self {
        CommunicationIdentifier::MicrosoftTeamsUser {
            user_id: user_id.into(),
            is_anonymous: false,
            cloud: CommunicationCloud::Public,
            raw_id: None,
        }
    }

    pub fn teams_app(app_id: impl Into<String>) -> Self {
        CommunicationIdentifier::MicrosoftTeamsApp {
            app_id: app_id.into(),
            cloud: CommunicationCloud::Public,
            raw_id: None,
        }
    }

    /// A Teams Phone extension user in the public cloud.
    ///
    /// ```
    /// use callsteer::CommunicationIdentifier;
    /// let user = CommunicationIdentifier::teams_extension_user("user", "tenant", "resource");
    /// assert_eq!(user.raw_id(), "8:acs:resource_tenant_user");
    /// assert_eq!(CommunicationIdentifier::from_raw_id(&user.raw_id()).kind(), "teamsExtensionUser");
    /// ```
    pub fn teams_extension_user(
        user_id: impl Into<String>,
        tenant_id: impl Into<String>,
        resource_id: impl Into<String>,
    ) -> Self {
        CommunicationIdentifier::TeamsExtensionUser {
            user_id: user_id.into(),
            tenant_id: tenant_id.into(),
            resource_id: resource_id.into(),
            cloud: CommunicationCloud::Public,
            raw_id: None,
        }
    }

    pub fn unknown(id: impl Into<String>) -> Self {
        CommunicationIdentifier::Unknown { id: id.into() }
    }

    /// The wire `kind` string of this identifier.
    pub fn kind(&self) -> &'static str {
        match self {
            CommunicationIdentifier::CommunicationUser { .. } => "communicationUser",
            CommunicationIdentifier::PhoneNumber { .. } => "phoneNumber",
            CommunicationIdentifier::MicrosoftTeamsUser { .. } => "microsoftTeamsUser",
            CommunicationIdentifier::MicrosoftTeamsApp { .. } => "microsoftTeamsApp",
            CommunicationIdentifier::TeamsExtensionUser { .. } => "teamsExtensionUser",
            CommunicationIdentifier::Unknown { .. } => "unknown",
        }
    }

    /// The raw id: the service's canonical string form of this identifier.
    pub fn raw_id(&self) -> String {
        match self {
            CommunicationIdentifier::CommunicationUser { id } => id.clone(),
            CommunicationIdentifier::PhoneNumber {
                phone_number,
                raw_id,
            } => raw_id
                .clone()
                .unwrap_or_else(|| format!("4:{phone_number}")),
            CommunicationIdentifier::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud,
                raw_id,
            } => raw_id.clone().unwrap_or_else(|| {
                let prefix = if *is_anonymous {
                    "8:teamsvisitor:"
                } else {
                    match cloud {
                        CommunicationCloud::Public => "8:orgid:",
                        CommunicationCloud::Dod => "8:dod:",
                        CommunicationCloud::Gcch => "8:gcch:",
                    }
                };
                format!("{prefix}{user_id}")
            }),
            CommunicationIdentifier::MicrosoftTeamsApp {
                app_id,
                cloud,
                raw_id,
            } => raw_id.clone().unwrap_or_else(|| {
                let prefix = match cloud {
                    CommunicationCloud::Public => "28:orgid:",
                    CommunicationCloud::Dod => "28:dod:",
                    CommunicationCloud::Gcch => "28:gcch:",
                };
                format!("{prefix}{app_id}")
            }),
            CommunicationIdentifier::TeamsExtensionUser {
                user_id,
                tenant_id,
                resource_id,
                cloud,
                raw_id,
            } => raw_id.clone().unwrap_or_else(|| {
                let prefix = match cloud {
                    CommunicationCloud::Public => "8:acs:",
                    CommunicationCloud::Dod => "8:dod-acs:",
                    CommunicationCloud::Gcch => "8:gcch-acs:",
                };
                format!("{prefix}{resource_id}_{tenant_id}_{user_id}")
            }),
            CommunicationIdentifier::Unknown { id } => id.clone(),
        }
    }

    /// Parses a raw id (`8:acs:…`, `4:+1…`, `8:orgid:…`, `28:orgid:…`, …) into a typed identifier.
    /// Never fails: an unrecognised form becomes [`CommunicationIdentifier::Unknown`].
    pub fn from_raw_id(raw_id: &str) -> Self {
        if let Some(number) = raw_id.strip_prefix("4:") {
            // Older SDKs emitted `4:1604…` without the plus; the number itself always carries it.
            let phone_number = if number.starts_with('+') || number == "anonymous" {
                number.to_string()
            } else {
                format!("+{number}")
            };
            let canonical = format!("4:{phone_number}");
            return CommunicationIdentifier::PhoneNumber {
                phone_number,
                raw_id: (canonical != raw_id).then(|| raw_id.to_string()),
            };
        }
        let segments: Vec<&str> = raw_id.splitn(3, ':').collect();
        if segments.len() < 3 {
            if segments.len() == 2 && segments[0] == "28" && !segments[1].is_empty() {
                // Legacy global bot form `28:<appId>`.
                return CommunicationIdentifier::MicrosoftTeamsApp {
                    app_id: segments[1].to_string(),
                    cloud: CommunicationCloud::Public,
                    raw_id: Some(raw_id.to_string()),
                };
            }
            return CommunicationIdentifier::unknown(raw_id);
        }
        let prefix = format!("{}:{}:", segments[0], segments[1]);
        let suffix = segments[2].to_string();
        let teams_user = |is_anonymous: bool, cloud: CommunicationCloud| {
            CommunicationIdentifier::MicrosoftTeamsUser {
                user_id: suffix.clone(),
                is_anonymous,
                cloud,
                raw_id: None,
            }
        };
        let teams_app = |cloud: CommunicationCloud, keep_raw: bool| {
            CommunicationIdentifier::MicrosoftTeamsApp {
                app_id: suffix.clone(),
                cloud,
                raw_id: keep_raw.then(|| raw_id.to_string()),
            }
        };
        match prefix.as_str() {
            "8:teamsvisitor:" => teams_user(true, CommunicationCloud::Public),
            "8:orgid:" => teams_user(false, CommunicationCloud::Public),
            "8:dod:" => teams_user(false, CommunicationCloud::Dod),
            "8:gcch:" => teams_user(false, CommunicationCloud::Gcch),
            "8:spool:" => CommunicationIdentifier::communication_user(raw_id),
            // `<resource>_<tenant>_<user>` is a Teams Phone extension user, anything else an ACS
            // user, as both official SDKs decide.
            "8:acs:" | "8:dod-acs:" | "8:gcch-acs:" => {
                let cloud = match prefix.as_str() {
                    "8:dod-acs:" => CommunicationCloud::Dod,
                    "8:gcch-acs:" => CommunicationCloud::Gcch,
                    _ => CommunicationCloud::Public,
                };
                match suffix.split('_').collect::<Vec<_>>()[..] {
                    [resource_id, tenant_id, user_id] => {
                        CommunicationIdentifier::TeamsExtensionUser {
                            user_id: user_id.to_string(),
                            tenant_id: tenant_id.to_string(),
                            resource_id: resource_id.to_string(),
                            cloud,
                            raw_id: None,
                        }
                    }
                    _ => CommunicationIdentifier::communication_user(raw_id),
                }
            }
            "28:orgid:" => teams_app(CommunicationCloud::Public, false),
            "28:dod:" => teams_app(CommunicationCloud::Dod, false),
            "28:gcch:" => teams_app(CommunicationCloud::Gcch, false),
            "28:dod-global:" => teams_app(CommunicationCloud::Dod, true),
            "28:gcch-global:" => teams_app(CommunicationCloud::Gcch, true),
            _ => CommunicationIdentifier::unknown(raw_id),
        }
    }

    /// The wire model as the official Python SDK sends it: `rawId` plus one nested object, no
    /// `kind` (the service infers it).
    pub fn to_model(&self) -> CommunicationIdentifierModel {
        let mut model = CommunicationIdentifierModel {
            raw_id: Some(self.raw_id()),
            ..Default::default()
        };
        match self {
            CommunicationIdentifier::CommunicationUser { id } => {
                model.communication_user = Some(CommunicationUserIdentifierModel { id: id.clone() })
            }
            CommunicationIdentifier::PhoneNumber { phone_number, .. } => {
                model.phone_number = Some(PhoneNumberIdentifierModel::new(phone_number.clone()))
            }
            CommunicationIdentifier::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud,
                ..
            } => {
                model.microsoft_teams_user = Some(MicrosoftTeamsUserIdentifierModel {
                    user_id: user_id.clone(),
                    is_anonymous: Some(*is_anonymous),
                    cloud: Some(*cloud),
                })
            }
            CommunicationIdentifier::MicrosoftTeamsApp { app_id, cloud, .. } => {
                model.microsoft_teams_app = Some(MicrosoftTeamsAppIdentifierModel {
                    app_id: app_id.clone(),
                    cloud: Some(*cloud),
                })
            }
            CommunicationIdentifier::TeamsExtensionUser {
                user_id,
                tenant_id,
                resource_id,
                cloud,
                ..
            } => {
                model.teams_extension_user = Some(TeamsExtensionUserIdentifierModel {
                    user_id: user_id.clone(),
                    tenant_id: tenant_id.clone(),
                    resource_id: resource_id.clone(),
                    cloud: Some(*cloud),
                })
            }
            CommunicationIdentifier::Unknown { .. } => {}
        }
        model
    }

    /// The wire model with `kind` set, as the service itself emits identifiers.
    pub fn to_model_with_kind(&self) -> CommunicationIdentifierModel {
        let mut model = self.to_model();
        model.kind = Some(self.kind().to_string());
        model
    }

    /// Reads a wire model, with or without `kind`/`rawId`. A model with two nested objects, or a
    /// nested object that contradicts `kind`, is refused; an unknown kind becomes `Unknown`.
    pub fn from_model(model: &CommunicationIdentifierModel) -> Result<Self> {
        Self::from_parts(&IdentifierParts {
            kind: model.kind.as_deref(),
            raw_id: model.raw_id.as_deref(),
            communication_user: model.communication_user.as_ref().map(|u| u.id.as_str()),
            phone_number: model.phone_number.as_ref().map(|p| p.value.as_str()),
            microsoft_teams_user: model
                .microsoft_teams_user
                .as_ref()
                .map(|u| (u.user_id.as_str(), u.is_anonymous, u.cloud)),
            microsoft_teams_app: model
                .microsoft_teams_app
                .as_ref()
                .map(|a| (a.app_id.as_str(), a.cloud)),
            teams_extension_user: model.teams_extension_user.as_ref().map(|u| {
                (
                    u.user_id.as_str(),
                    u.tenant_id.as_str(),
                    u.resource_id.as_str(),
                    u.cloud,
                )
            }),
        })
    }

    /// [`from_model`](Self::from_model) for what the service returns: never fails. A model
    /// that [`from_model`](Self::from_model) refuses (two nested objects, a `kind` without its
    /// object, …) becomes [`CommunicationIdentifier::Unknown`] carrying its raw id (or, without
    /// one, the id of its nested object), and a warning is logged.
    ///
    /// ```
    /// use callsteer::CommunicationIdentifier;
    /// use callsteer::identifier::CommunicationIdentifierModel;
    /// let odd: CommunicationIdentifierModel =
    ///     serde_json::from_str(r#"{"kind":"phoneNumber","rawId":"4:weird"}"#).unwrap();
    /// assert_eq!(
    ///     CommunicationIdentifier::from_model_lenient(&odd),
    ///     CommunicationIdentifier::unknown("4:weird")
    /// );
    /// ```
    pub fn from_model_lenient(model: &CommunicationIdentifierModel) -> Self {
        match Self::from_model(model) {
            Ok(id) => id,
            Err(e) => {
                let raw = model
                    .raw_id
                    .clone()
                    .or_else(|| model.communication_user.as_ref().map(|u| u.id.clone()))
                    .or_else(|| {
                        model
                            .phone_number
                            .as_ref()
                            .map(|p| format!("4:{}", p.value))
                    })
                    .or_else(|| {
                        model
                            .microsoft_teams_user
                            .as_ref()
                            .map(|u| format!("8:orgid:{}", u.user_id))
                    })
                    .or_else(|| {
                        model
                            .microsoft_teams_app
                            .as_ref()
                            .map(|a| format!("28:orgid:{}", a.app_id))
                    })
                    .or_else(|| {
                        model.teams_extension_user.as_ref().map(|u| {
                            format!("8:acs:{}_{}_{}", u.resource_id, u.tenant_id, u.user_id)
                        })
                    })
                    .unwrap_or_default();
                tracing::warn!(raw_id = %raw, error = %e, "identifier from the service kept as unknown");
                CommunicationIdentifier::unknown(raw)
            }
        }
    }

    /// [`from_model`](Self::from_model) over borrowed fields: the event parser reads identifiers
    /// straight from the body into an [`IdentifierParts`] without building a model first.
    pub(crate) fn from_parts(model: &IdentifierParts<'_>) -> Result<Self> {
        let nested = [
            model.communication_user.is_some(),
            model.phone_number.is_some(),
            model.microsoft_teams_user.is_some(),
            model.microsoft_teams_app.is_some(),
            model.teams_extension_user.is_some(),
        ]
        .iter()
        .filter(|set| **set)
        .count();
        if nested > 1 {
            return Err(Error::invalid(
                "identifier",
                "only one of communicationUser, phoneNumber, microsoftTeamsUser, microsoftTeamsApp, teamsExtensionUser may be set",
            ));
        }
        let kind = match model.kind {
            Some(kind) => kind,
            None if model.communication_user.is_some() => "communicationUser",
            None if model.phone_number.is_some() => "phoneNumber",
            None if model.microsoft_teams_user.is_some() => "microsoftTeamsUser",
            None if model.microsoft_teams_app.is_some() => "microsoftTeamsApp",
            None if model.teams_extension_user.is_some() => "teamsExtensionUser",
            None => match model.raw_id {
                Some(raw) => return Ok(Self::from_raw_id(raw)),
                None => {
                    return Err(Error::invalid(
                        "identifier",
                        "needs rawId or one nested identifier object",
                    ))
                }
            },
        };
        let missing = |what: &str| {
            Error::invalid(
                format!("identifier.{what}"),
                format!("kind `{kind}` requires the `{what}` object"),
            )
        };
        let raw_id = model.raw_id;
        let identifier = match kind {
            "communicationUser" => {
                let id = model
                    .communication_user
                    .ok_or_else(|| missing("communicationUser"))?;
                CommunicationIdentifier::communication_user(id)
            }
            "phoneNumber" => {
                let value = model.phone_number.ok_or_else(|| missing("phoneNumber"))?;
                // Kept only when it differs from the canonical `4:` + number.
                let canonical = |raw: &str| raw.strip_prefix("4:") == Some(value);
                CommunicationIdentifier::PhoneNumber {
                    phone_number: value.to_string(),
                    raw_id: raw_id.filter(|raw| !canonical(raw)).map(str::to_string),
                }
            }
            "microsoftTeamsUser" => {
                let (user_id, is_anonymous, cloud) = model
                    .microsoft_teams_user
                    .ok_or_else(|| missing("microsoftTeamsUser"))?;
                let mut typed = CommunicationIdentifier::MicrosoftTeamsUser {
                    user_id: user_id.to_string(),
                    is_anonymous: is_anonymous.unwrap_or(false),
                    cloud: cloud.unwrap_or_default(),
                    raw_id: None,
                };
                keep_raw_if_different(&mut typed, raw_id);
                typed
            }
            "microsoftTeamsApp" => {
                let (app_id, cloud) = model
                    .microsoft_teams_app
                    .ok_or_else(|| missing("microsoftTeamsApp"))?;
                let mut typed = CommunicationIdentifier::MicrosoftTeamsApp {
                    app_id: app_id.to_string(),
                    cloud: cloud.unwrap_or_default(),
                    raw_id: None,
                };
                keep_raw_if_different(&mut typed, raw_id);
                typed
            }
            "teamsExtensionUser" => {
                let (user_id, tenant_id, resource_id, cloud) = model
                    .teams_extension_user
                    .ok_or_else(|| missing("teamsExtensionUser"))?;
                let mut typed = CommunicationIdentifier::TeamsExtensionUser {
                    user_id: user_id.to_string(),
                    tenant_id: tenant_id.to_string(),
                    resource_id: resource_id.to_string(),
                    cloud: cloud.unwrap_or_default(),
                    raw_id: None,
                };
                keep_raw_if_different(&mut typed, raw_id);
                typed
            }
            _ => match raw_id {
                Some(raw) => CommunicationIdentifier::unknown(raw),
                None => {
                    return Err(Error::invalid(
                        "identifier.rawId",
                        format!("kind `{kind}` is not known and no rawId was given"),
                    ))
                }
            },
        };
        Ok(identifier)
    }
}

/// The fields of a [`CommunicationIdentifierModel`], borrowed: `kind`, `rawId`, and the one
/// nested object as (`id`), (`value`), (`userId`, `isAnonymous`, `cloud`), (`appId`, `cloud`) or
/// (`userId`, `tenantId`, `resourceId`, `cloud`).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdentifierParts<'a> {
    pub kind: Option<&'a str>,
    pub raw_id: Option<&'a str>,
    pub communication_user: Option<&'a str>,
    pub phone_number: Option<&'a str>,
    pub microsoft_teams_user: Option<(&'a str, Option<bool>, Option<CommunicationCloud>)>,
    pub microsoft_teams_app: Option<(&'a str, Option<CommunicationCloud>)>,
    pub teams_extension_user: Option<(&'a str, &'a str, &'a str, Option<CommunicationCloud>)>,
}

fn keep_raw_if_different(identifier: &mut CommunicationIdentifier, received: Option<&str>) {
    let Some(received) = received else { return };
    if identifier.raw_id() == received {
        return;
    }
    match identifier {
        CommunicationIdentifier::MicrosoftTeamsUser { raw_id, .. }
        | CommunicationIdentifier::MicrosoftTeamsApp { raw_id, .. }
        | CommunicationIdentifier::TeamsExtensionUser { raw_id, .. } => {
            *raw_id = Some(received.to_string())
        }
        _ => {}
    }
}

/// Parses a raw id into a typed identifier (the official SDKs' `identifier_from_raw_id`).
pub fn identifier_from_raw_id(raw_id: &str) -> CommunicationIdentifier {
    CommunicationIdentifier::from_raw_id(raw_id)
}

/// `CommunicationIdentifierModel` on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationIdentifierModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communication_user: Option<CommunicationUserIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<PhoneNumberIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub microsoft_teams_user: Option<MicrosoftTeamsUserIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub microsoft_teams_app: Option<MicrosoftTeamsAppIdentifierModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams_extension_user: Option<TeamsExtensionUserIdentifierModel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunicationUserIdentifierModel {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumberIdentifierModel {
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asserted_id: Option<String>,
}

impl PhoneNumberIdentifierModel {
    pub fn new(value: impl Into<String>) -> Self {
        PhoneNumberIdentifierModel {
            value: value.into(),
            is_anonymous: None,
            asserted_id: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MicrosoftTeamsUserIdentifierModel {
    pub user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CommunicationCloud>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MicrosoftTeamsAppIdentifierModel {
    pub app_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CommunicationCloud>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamsExtensionUserIdentifierModel {
    pub user_id: String,
    pub tenant_id: String,
    pub resource_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CommunicationCloud>,
}

/// True for `+` followed by 2 to 15 digits, the first not zero (ITU-T E.164).
pub fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ids_parse_to_their_kinds() {
        let cases = [
            ("4:+16041234567", "phoneNumber"),
            ("4:16041234567", "phoneNumber"),
            ("8:acs:res_user", "communicationUser"),
            ("8:acs:res_tenant_user", "teamsExtensionUser"),
            ("8:dod-acs:res_tenant_user", "teamsExtensionUser"),
            ("8:gcch-acs:res_tenant_user", "teamsExtensionUser"),
            ("8:acs:a_b_c_d", "communicationUser"),
            ("8:spool:res_user", "communicationUser"),
            ("8:dod-acs:res_user", "communicationUser"),
            ("8:gcch-acs:res_user", "communicationUser"),
            ("8:orgid:45ab", "microsoftTeamsUser"),
            ("8:dod:45ab", "microsoftTeamsUser"),
            ("8:gcch:45ab", "microsoftTeamsUser"),
            ("8:teamsvisitor:45ab", "microsoftTeamsUser"),
            ("28:orgid:01ab", "microsoftTeamsApp"),
            ("28:dod:01ab", "microsoftTeamsApp"),
            ("28:gcch:01ab", "microsoftTeamsApp"),
            ("28:dod-global:01ab", "microsoftTeamsApp"),
            ("28:01ab", "microsoftTeamsApp"),
            ("48:something", "unknown"),
            ("", "unknown"),
            ("8:x:y", "unknown"),
        ];
        for (raw, kind) in cases {
            let id = CommunicationIdentifier::from_raw_id(raw);
            assert_eq!(id.kind(), kind, "{raw}");
            assert_eq!(id.raw_id(), raw, "raw id must round-trip: {raw}");
        }
    }

    #[test]
    fn legacy_phone_raw_id_gains_plus() {
        match CommunicationIdentifier::from_raw_id("4:16041234567") {
            CommunicationIdentifier::PhoneNumber { phone_number, .. } => {
                assert_eq!(phone_number, "+16041234567")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn teams_user_clouds_and_visitors() {
        let visitor = CommunicationIdentifier::from_raw_id("8:teamsvisitor:abc");
        assert!(matches!(
            visitor,
            CommunicationIdentifier::MicrosoftTeamsUser {
                is_anonymous: true,
                ..
            }
        ));
        let dod = CommunicationIdentifier::MicrosoftTeamsUser {
            user_id: "u".into(),
            is_anonymous: false,
            cloud: CommunicationCloud::Dod,
            raw_id: None,
        };
        assert_eq!(dod.raw_id(), "8:dod:u");
        let app = CommunicationIdentifier::MicrosoftTeamsApp {
            app_id: "a".into(),
            cloud: CommunicationCloud::Gcch,
            raw_id: None,
        };
        assert_eq!(app.raw_id(), "28:gcch:a");
    }

    #[test]
    fn model_without_kind_is_inferred() {
        let json = r#"{"rawId":"4:+16041234567","phoneNumber":{"value":"+16041234567"}}"#;
        let model: CommunicationIdentifierModel = serde_json::from_str(json).unwrap();
        let id = CommunicationIdentifier::from_model(&model).unwrap();
        assert_eq!(id, CommunicationIdentifier::phone_number("+16041234567"));
        assert_eq!(serde_json::to_string(&id.to_model()).unwrap(), json);
    }

    #[test]
    fn model_with_two_nested_objects_is_refused() {
        let json = r#"{"communicationUser":{"id":"8:acs:x"},"phoneNumber":{"value":"+1604"}}"#;
        let model: CommunicationIdentifierModel = serde_json::from_str(json).unwrap();
        let err = CommunicationIdentifier::from_model(&model).unwrap_err();
        assert!(err.to_string().contains("identifier"), "{err}");
    }

    #[test]
    fn model_kind_mismatch_is_refused_and_unknown_kind_kept() {
        let mismatch: CommunicationIdentifierModel =
            serde_json::from_str(r#"{"kind":"phoneNumber","communicationUser":{"id":"8:acs:x"}}"#)
                .unwrap();
        assert!(CommunicationIdentifier::from_model(&mismatch).is_err());
        let unknown: CommunicationIdentifierModel =
            serde_json::from_str(r#"{"kind":"teamsPhoneBot","rawId":"99:bot:x"}"#).unwrap();
        assert_eq!(
            CommunicationIdentifier::from_model(&unknown).unwrap(),
            CommunicationIdentifier::unknown("99:bot:x")
        );
    }

    #[test]
    fn teams_extension_user_model_round_trips() {
        let json = r#"{"rawId":"8:gcch-acs:r_t_u","teamsExtensionUser":{"userId":"u","tenantId":"t","resourceId":"r","cloud":"gcch"}}"#;
        let model: CommunicationIdentifierModel = serde_json::from_str(json).unwrap();
        let id = CommunicationIdentifier::from_model(&model).unwrap();
        assert_eq!(id, CommunicationIdentifier::from_raw_id("8:gcch-acs:r_t_u"));
        assert_eq!(id.kind(), "teamsExtensionUser");
        assert_eq!(serde_json::to_string(&id.to_model()).unwrap(), json);
        let missing: CommunicationIdentifierModel =
            serde_json::from_str(r#"{"kind":"teamsExtensionUser","rawId":"8:acs:r_t_u"}"#).unwrap();
        assert!(CommunicationIdentifier::from_model(&missing).is_err());
    }

    #[test]
    fn clouds_read_in_any_case_and_write_lowercase() {
        for (text, cloud) in [
            ("\"PUBLIC\"", CommunicationCloud::Public),
            ("\"Dod\"", CommunicationCloud::Dod),
            ("\"gcch\"", CommunicationCloud::Gcch),
        ] {
            let read: CommunicationCloud = serde_json::from_str(text).unwrap();
            assert_eq!(read, cloud);
            assert_eq!(
                serde_json::to_string(&read).unwrap(),
                format!("\"{}\"", cloud.as_str())
            );
        }
        assert!(serde_json::from_str::<CommunicationCloud>("\"mars\"").is_err());
    }

    #[test]
    fn e164() {
        assert!(is_e164("+16041234567"));
        assert!(!is_e164("16041234567"));
        assert!(!is_e164("+0604"));
        assert!(!is_e164("+1604-123"));
        assert!(!is_e164("+1234567890123456"));
        assert!(!is_e164("+"));
    }
}
