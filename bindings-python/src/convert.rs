//! Conversions between Python values and core values: identifier classes, property and
//! participant models, and the argument shapes the official SDK accepts. No validation lives
//! here: the core validates and names the field.

use callsteer::{
    identifier_from_raw_id, CallLocator, CallParticipant, CommunicationCloud,
    CommunicationIdentifier, CustomCallingContext, TeamsPhoneCallDetails, TeamsPhoneCallerDetails,
    TeamsPhoneSourceDetails,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::errors;

// ---------------------------------------------------------------------------------------------
// Python-side enums (str enums, as in the official SDK) and their lookup.

fn models_attr<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(cell
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("callsteer._models")?.getattr(name)?.unbind())
        })?
        .bind(py)
        .clone())
}

/// `CommunicationIdentifierKind(value)`, or the plain string if the enum is unavailable.
fn kind_enum<'py>(py: Python<'py>, value: &str) -> Bound<'py, PyAny> {
    static KIND: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    models_attr(py, &KIND, "CommunicationIdentifierKind")
        .and_then(|cls| cls.call1((value,)))
        .unwrap_or_else(|_| PyString::new(py, value).into_any())
}

fn cloud_enum<'py>(py: Python<'py>, cloud: CommunicationCloud) -> Bound<'py, PyAny> {
    static CLOUD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let value = cloud.as_str().to_ascii_uppercase();
    models_attr(py, &CLOUD, "CommunicationCloudEnvironment")
        .and_then(|cls| cls.call1((value.as_str(),)))
        .unwrap_or_else(|_| PyString::new(py, &value).into_any())
}

/// `CallConnectionState(value)`, or the plain string for a state the enum does not know.
pub fn state_enum<'py>(py: Python<'py>, value: &str) -> Bound<'py, PyAny> {
    static STATE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    models_attr(py, &STATE, "CallConnectionState")
        .and_then(|cls| cls.call1((value,)))
        .unwrap_or_else(|_| PyString::new(py, value).into_any())
}

fn parse_cloud(py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<CommunicationCloud> {
    let Some(value) = value else {
        return Ok(CommunicationCloud::Public);
    };
    if value.is_none() {
        return Ok(CommunicationCloud::Public);
    }
    // A str or the str enum `CommunicationCloudEnvironment`; the core's case-insensitive rule.
    let text: String = value
        .getattr("value")
        .and_then(|v| v.extract())
        .or_else(|_| value.extract())
        .map_err(|_| errors::invalid(py, "cloud", "must be PUBLIC, DOD or GCCH"))?;
    text.parse().map_err(|e| errors::to_py(py, e))
}

// ---------------------------------------------------------------------------------------------
// Identifier classes.

fn identifier_eq(this: &CommunicationIdentifier, other: &Bound<'_, PyAny>) -> bool {
    match other.getattr("raw_id").and_then(|r| r.extract::<String>()) {
        Ok(raw) => this.raw_id() == raw,
        Err(_) => false,
    }
}

fn identifier_hash(this: &CommunicationIdentifier) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    this.raw_id().hash(&mut hasher);
    hasher.finish()
}

macro_rules! identifier_class {
    ($rust:ident, $name:literal, $kind:literal) => {
        #[pyclass(frozen, name = $name, module = "callsteer")]
        #[derive(Clone)]
        pub struct $rust {
            pub inner: CommunicationIdentifier,
        }

        impl $rust {
            fn kind_str() -> &'static str {
                $kind
            }
        }

        #[pymethods]
        impl $rust {
            /// The service's canonical string form of this identifier.
            #[getter]
            fn raw_id(&self) -> String {
                self.inner.raw_id()
            }

            #[getter]
            fn kind<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
                kind_enum(py, Self::kind_str())
            }

            #[getter]
            fn properties<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                identifier_properties(py, &self.inner)
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                identifier_eq(&self.inner, other)
            }

            fn __hash__(&self) -> u64 {
                identifier_hash(&self.inner)
            }

            fn __repr__(&self) -> String {
                format!("{}(raw_id={:?})", $name, self.inner.raw_id())
            }

            fn __str__(&self) -> String {
                self.inner.raw_id()
            }
        }
    };
}

identifier_class!(
    PyCommunicationUserIdentifier,
    "CommunicationUserIdentifier",
    "communication_user"
);
identifier_class!(
    PyPhoneNumberIdentifier,
    "PhoneNumberIdentifier",
    "phone_number"
);
identifier_class!(
    PyMicrosoftTeamsUserIdentifier,
    "MicrosoftTeamsUserIdentifier",
    "microsoft_teams_user"
);
identifier_class!(
    PyMicrosoftTeamsAppIdentifier,
    "MicrosoftTeamsAppIdentifier",
    "microsoft_teams_app"
);
identifier_class!(
    PyTeamsExtensionUserIdentifier,
    "TeamsExtensionUserIdentifier",
    "teams_extension_user"
);
identifier_class!(PyUnknownIdentifier, "UnknownIdentifier", "unknown");

#[pymethods]
impl PyCommunicationUserIdentifier {
    #[new]
    #[pyo3(signature = (id, *, raw_id = None))]
    fn new(id: String, raw_id: Option<String>) -> Self {
        // The official SDK's raw id of a communication user is its id.
        let _ = raw_id;
        Self {
            inner: CommunicationIdentifier::communication_user(id),
        }
    }
}

#[pymethods]
impl PyPhoneNumberIdentifier {
    #[new]
    #[pyo3(signature = (value, *, raw_id = None))]
    fn new(value: String, raw_id: Option<String>) -> Self {
        let inner = match raw_id {
            Some(raw) if raw != format!("4:{value}") => CommunicationIdentifier::PhoneNumber {
                phone_number: value,
                raw_id: Some(raw),
            },
            _ => CommunicationIdentifier::phone_number(value),
        };
        Self { inner }
    }
}

#[pymethods]
impl PyMicrosoftTeamsUserIdentifier {
    #[new]
    #[pyo3(signature = (user_id, *, is_anonymous = false, cloud = None, raw_id = None))]
    fn new(
        py: Python<'_>,
        user_id: String,
        is_anonymous: bool,
        cloud: Option<&Bound<'_, PyAny>>,
        raw_id: Option<String>,
    ) -> PyResult<Self> {
        Ok(Self {
            inner: CommunicationIdentifier::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud: parse_cloud(py, cloud)?,
                raw_id,
            },
        })
    }
}

#[pymethods]
impl PyMicrosoftTeamsAppIdentifier {
    #[new]
    #[pyo3(signature = (app_id, *, cloud = None, raw_id = None))]
    fn new(
        py: Python<'_>,
        app_id: String,
        cloud: Option<&Bound<'_, PyAny>>,
        raw_id: Option<String>,
    ) -> PyResult<Self> {
        Ok(Self {
            inner: CommunicationIdentifier::MicrosoftTeamsApp {
                app_id,
                cloud: parse_cloud(py, cloud)?,
                raw_id,
            },
        })
    }
}

#[pymethods]
impl PyTeamsExtensionUserIdentifier {
    #[new]
    #[pyo3(signature = (*, user_id, tenant_id, resource_id, cloud = None, raw_id = None))]
    fn new(
        py: Python<'_>,
        user_id: String,
        tenant_id: String,
        resource_id: String,
        cloud: Option<&Bound<'_, PyAny>>,
        raw_id: Option<String>,
    ) -> PyResult<Self> {
        Ok(Self {
            inner: CommunicationIdentifier::TeamsExtensionUser {
                user_id,
                tenant_id,
                resource_id,
                cloud: parse_cloud(py, cloud)?,
                raw_id,
            },
        })
    }
}

#[pymethods]
impl PyUnknownIdentifier {
    #[new]
    fn new(identifier: String) -> Self {
        Self {
            inner: CommunicationIdentifier::unknown(identifier),
        }
    }
}

fn identifier_properties<'py>(
    py: Python<'py>,
    id: &CommunicationIdentifier,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match id {
        CommunicationIdentifier::CommunicationUser { id } => d.set_item("id", id)?,
        CommunicationIdentifier::PhoneNumber { phone_number, .. } => {
            d.set_item("value", phone_number)?;
            if phone_number == "anonymous" {
                d.set_item("is_anonymous", true)?;
            }
        }
        CommunicationIdentifier::MicrosoftTeamsUser {
            user_id,
            is_anonymous,
            cloud,
            ..
        } => {
            d.set_item("user_id", user_id)?;
            d.set_item("is_anonymous", *is_anonymous)?;
            d.set_item("cloud", cloud_enum(py, *cloud))?;
        }
        CommunicationIdentifier::MicrosoftTeamsApp { app_id, cloud, .. } => {
            d.set_item("app_id", app_id)?;
            d.set_item("cloud", cloud_enum(py, *cloud))?;
        }
        CommunicationIdentifier::TeamsExtensionUser {
            user_id,
            tenant_id,
            resource_id,
            cloud,
            ..
        } => {
            d.set_item("user_id", user_id)?;
            d.set_item("tenant_id", tenant_id)?;
            d.set_item("resource_id", resource_id)?;
            d.set_item("cloud", cloud_enum(py, *cloud))?;
        }
        CommunicationIdentifier::Unknown { .. } => {}
    }
    Ok(d)
}

/// The typed Python identifier of a core identifier.
pub fn identifier_to_py<'py>(
    py: Python<'py>,
    id: &CommunicationIdentifier,
) -> PyResult<Bound<'py, PyAny>> {
    let inner = id.clone();
    Ok(match id {
        CommunicationIdentifier::CommunicationUser { .. } => {
            Bound::new(py, PyCommunicationUserIdentifier { inner })?.into_any()
        }
        CommunicationIdentifier::PhoneNumber { .. } => {
            Bound::new(py, PyPhoneNumberIdentifier { inner })?.into_any()
        }
        CommunicationIdentifier::MicrosoftTeamsUser { .. } => {
            Bound::new(py, PyMicrosoftTeamsUserIdentifier { inner })?.into_any()
        }
        CommunicationIdentifier::MicrosoftTeamsApp { .. } => {
            Bound::new(py, PyMicrosoftTeamsAppIdentifier { inner })?.into_any()
        }
        CommunicationIdentifier::TeamsExtensionUser { .. } => {
            Bound::new(py, PyTeamsExtensionUserIdentifier { inner })?.into_any()
        }
        CommunicationIdentifier::Unknown { .. } => {
            Bound::new(py, PyUnknownIdentifier { inner })?.into_any()
        }
    })
}

/// `identifier_from_raw_id(raw_id)`: the typed identifier of a raw id.
#[pyfunction(name = "identifier_from_raw_id")]
pub fn py_identifier_from_raw_id<'py>(
    py: Python<'py>,
    raw_id: &str,
) -> PyResult<Bound<'py, PyAny>> {
    errors::guard(py, || identifier_to_py(py, &identifier_from_raw_id(raw_id)))
}

/// Any identifier object: ours, or any object with a `raw_id` (e.g. the official SDK's).
pub fn identifier(
    py: Python<'_>,
    field: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<CommunicationIdentifier> {
    macro_rules! ours {
        ($($t:ty),*) => {$(
            if let Ok(id) = value.cast::<$t>() {
                return Ok(id.get().inner.clone());
            }
        )*};
    }
    ours!(
        PyCommunicationUserIdentifier,
        PyPhoneNumberIdentifier,
        PyMicrosoftTeamsUserIdentifier,
        PyMicrosoftTeamsAppIdentifier,
        PyTeamsExtensionUserIdentifier,
        PyUnknownIdentifier
    );
    if value.is_instance_of::<PyString>() {
        return Err(errors::invalid(
            py,
            field,
            "expected an identifier object (e.g. CommunicationUserIdentifier(...) or \
             identifier_from_raw_id(...)), got a str",
        ));
    }
    match value.getattr("raw_id").and_then(|r| r.extract::<String>()) {
        Ok(raw) => Ok(identifier_from_raw_id(&raw)),
        Err(_) => Err(errors::invalid(
            py,
            field,
            format!(
                "expected a communication identifier, got {}",
                type_name(value)
            ),
        )),
    }
}

pub fn opt_identifier(
    py: Python<'_>,
    field: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<CommunicationIdentifier>> {
    match value {
        Some(v) if !v.is_none() => identifier(py, field, v).map(Some),
        _ => Ok(None),
    }
}

pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string())
}

/// A caller id: a `PhoneNumberIdentifier` (as the official SDK takes it) or an E.164 string.
pub fn phone_number(
    py: Python<'_>,
    field: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    if value.is_none() {
        return Ok(None);
    }
    if let Ok(text) = value.extract::<String>() {
        return Ok(Some(text));
    }
    match identifier(py, field, value)? {
        CommunicationIdentifier::PhoneNumber { phone_number, .. } => Ok(Some(phone_number)),
        other => Err(errors::invalid(
            py,
            field,
            format!("must be a phone number, got a {}", other.kind()),
        )),
    }
}

/// Targets of `create_call`: one identifier, a `CallInvite`, or a sequence of identifiers.
pub enum Targets {
    One {
        target: CommunicationIdentifier,
        source_caller_id_number: Option<String>,
        source_display_name: Option<String>,
    },
    Many(Vec<CommunicationIdentifier>),
}

/// A `CallInvite`'s target, caller id number and display name.
pub type Invite = (CommunicationIdentifier, Option<String>, Option<String>);

/// Reads a `CallInvite`-shaped object (ours or the official SDK's): `.target`,
/// `.source_caller_id_number`, `.source_display_name`.
pub fn call_invite(
    py: Python<'_>,
    field: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Option<Invite>> {
    if value.hasattr("raw_id")? || !value.hasattr("target")? {
        return Ok(None);
    }
    let target = identifier(py, field, &value.getattr("target")?)?;
    let caller = value.getattr("source_caller_id_number").ok();
    // `sip_headers` / `voip_headers` of the invitation are read by `invite_context`.
    let caller = phone_number(py, "sourceCallerIdNumber", caller.as_ref())?;
    let name = value
        .getattr("source_display_name")
        .ok()
        .filter(|v| !v.is_none())
        .map(|v| v.extract::<String>())
        .transpose()
        .map_err(|_| errors::invalid(py, "sourceDisplayName", "must be a str"))?;
    Ok(Some((target, caller, name)))
}

/// The `sip_headers` / `voip_headers` of a `CallInvite`-shaped object (empty for a bare
/// identifier), so that the core refuses or sends them instead of their being dropped here.
pub fn invite_context(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<CustomCallingContext> {
    if value.hasattr("raw_id")? || !value.hasattr("target")? {
        return Ok(CustomCallingContext::new());
    }
    let sip = value.getattr("sip_headers").ok();
    let voip = value.getattr("voip_headers").ok();
    custom_calling_context(py, sip.as_ref(), voip.as_ref())
}

pub fn targets(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Targets> {
    if let Some((target, caller, name)) = call_invite(py, "callInvite.target", value)? {
        return Ok(Targets::One {
            target,
            source_caller_id_number: caller,
            source_display_name: name,
        });
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        return Ok(Targets::Many(identifier_list(py, "targets", value)?));
    }
    Ok(Targets::One {
        target: identifier(py, "callInvite.target", value)?,
        source_caller_id_number: None,
        source_display_name: None,
    })
}

/// A sequence of identifiers (`CallInvite`s are unwrapped to their targets).
pub fn identifier_list(
    py: Python<'_>,
    field: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Vec<CommunicationIdentifier>> {
    if value.is_instance_of::<PyString>() {
        return Err(errors::invalid(
            py,
            field,
            "expected a list of identifiers, got a str",
        ));
    }
    let iter = value
        .try_iter()
        .map_err(|_| errors::invalid(py, field, "expected a list of identifiers"))?;
    let mut out = Vec::new();
    for (i, item) in iter.enumerate() {
        let item = item?;
        let name = format!("{field}[{i}]");
        match call_invite(py, &name, &item)? {
            // A list sends targets only: a CallInvite's caller id, display name or headers
            // would be lost, so they are refused rather than unwrapped away.
            Some((_, caller, display))
                if caller.is_some()
                    || display.is_some()
                    || !invite_context(py, &item)?.is_empty() =>
            {
                return Err(errors::invalid(
                    py,
                    &name,
                    "a CallInvite in a list of targets can only carry its target: give \
                     source_caller_id_number / source_display_name to the call itself",
                ));
            }
            Some((target, _, _)) => out.push(target),
            None => out.push(identifier(py, &name, &item)?),
        }
    }
    Ok(out)
}

/// A call locator object (`ServerCallLocator`, `GroupCallLocator`, `RoomCallLocator`, ours or the
/// official SDK's) plus the keyword ids, resolved by the core's `CallLocator::from_parts`.
pub fn call_locator(
    py: Python<'_>,
    locator: Option<&Bound<'_, PyAny>>,
    server_call_id: Option<String>,
    group_call_id: Option<String>,
    room_id: Option<String>,
) -> PyResult<callsteer::Result<CallLocator>> {
    let (mut server, mut group, mut room) = (server_call_id, group_call_id, room_id);
    let mut extra = 0;
    if let Some(locator) = locator.filter(|l| !l.is_none()) {
        let read = |attr: &str| -> Option<String> {
            locator
                .getattr(attr)
                .ok()
                .and_then(|v| v.extract::<String>().ok())
        };
        let found = [
            ("server_call_id", read("server_call_id")),
            ("group_call_id", read("group_call_id")),
            ("room_id", read("room_id")),
        ];
        let mut any = false;
        for (name, value) in found {
            let Some(value) = value else { continue };
            any = true;
            let slot = match name {
                "server_call_id" => &mut server,
                "group_call_id" => &mut group,
                _ => &mut room,
            };
            if slot.is_some() {
                extra += 1;
            }
            *slot = Some(value);
        }
        if !any {
            return Err(errors::invalid(
                py,
                "callLocator",
                format!(
                    "expected ServerCallLocator, GroupCallLocator or RoomCallLocator, got {}",
                    type_name(locator)
                ),
            ));
        }
    }
    if extra > 0 {
        return Ok(Err(callsteer::Error::invalid(
            "callLocator",
            "give exactly one of server call id, group call id or room id (more than one was given)",
        )));
    }
    Ok(CallLocator::from_parts(server, group, room))
}

fn string_map(
    py: Python<'_>,
    field: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<(String, String)>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    let dict = value.cast::<PyDict>().map_err(|_| {
        errors::invalid(
            py,
            field,
            format!("expected a dict of str to str, got {}", type_name(value)),
        )
    })?;
    let mut out = Vec::new();
    for (k, v) in dict.iter() {
        let k: String = k
            .extract()
            .map_err(|_| errors::invalid(py, field, "header names must be str"))?;
        let v: String = v
            .extract()
            .map_err(|_| errors::invalid(py, field, format!("the value of `{k}` must be a str")))?;
        out.push((k, v));
    }
    Ok(out)
}

/// `sip_headers` / `voip_headers` keyword dicts → the core's custom calling context.
///
/// As in the official SDK, SIP header names are sent as given (`User-To-User`,
/// `X-MS-Custom-…`, `X-…`); the core refuses any other name locally and names the field.
pub fn custom_calling_context(
    py: Python<'_>,
    sip_headers: Option<&Bound<'_, PyAny>>,
    voip_headers: Option<&Bound<'_, PyAny>>,
) -> PyResult<CustomCallingContext> {
    let mut ctx = CustomCallingContext::new();
    for (k, v) in string_map(py, "customCallingContext.sipHeaders", sip_headers)? {
        if k == "User-To-User" {
            ctx.add_sip_uui(v);
        } else {
            ctx.sip_headers.insert(k, v);
        }
    }
    for (k, v) in string_map(py, "customCallingContext.voipHeaders", voip_headers)? {
        ctx.add_voip(k, v);
    }
    Ok(ctx)
}

// ---------------------------------------------------------------------------------------------
// Teams Phone call details: read by attribute, so the official SDK's objects work as ours do.

const TEAMS: &str = "customCallingContext.teamsPhoneCallDetails";

fn attr<'py>(value: &Bound<'py, PyAny>, name: &str) -> Option<Bound<'py, PyAny>> {
    value.getattr(name).ok().filter(|v| !v.is_none())
}

fn attr_str(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    name: &str,
    field: &str,
) -> PyResult<Option<String>> {
    attr(value, name)
        .map(|v| {
            v.extract::<String>().map_err(|_| {
                errors::invalid(py, field, format!("expected a str, got {}", type_name(&v)))
            })
        })
        .transpose()
}

/// `teams_phone_call_details=`: a `TeamsPhoneCallDetails` (ours or the official SDK's).
pub fn teams_phone_call_details(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<TeamsPhoneCallDetails>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let text = |name: &str, wire: &str| attr_str(py, value, name, &format!("{TEAMS}.{wire}"));
    let caller = match attr(value, "teams_phone_caller") {
        None => None,
        Some(c) => {
            let field = |wire: &str| format!("{TEAMS}.teamsPhoneCallerDetails.{wire}");
            let caller = attr(&c, "caller")
                .ok_or_else(|| errors::invalid(py, &field("caller"), "is required"))?;
            let extra = string_map(
                py,
                &field("additionalCallerInformation"),
                attr(&c, "additional_caller_information").as_ref(),
            )?;
            Some(TeamsPhoneCallerDetails {
                caller: identifier(py, &field("caller"), &caller)?,
                name: attr_str(py, &c, "name", &field("name"))?.unwrap_or_default(),
                phone_number: attr_str(py, &c, "phone_number", &field("phoneNumber"))?
                    .unwrap_or_default(),
                record_id: attr_str(py, &c, "record_id", &field("recordId"))?,
                screen_pop_url: attr_str(py, &c, "screen_pop_url", &field("screenPopUrl"))?,
                is_authenticated: attr(&c, "is_authenticated")
                    .map(|v| v.is_truthy())
                    .transpose()?,
                additional_caller_information: extra.into_iter().collect(),
            })
        }
    };
    let source = match attr(value, "teams_phone_source") {
        None => None,
        Some(s) => {
            let field = |wire: &str| format!("{TEAMS}.teamsPhoneSourceDetails.{wire}");
            let source = attr(&s, "source")
                .ok_or_else(|| errors::invalid(py, &field("source"), "is required"))?;
            let mut intended_targets = std::collections::BTreeMap::new();
            if let Some(targets) = attr(&s, "intended_targets") {
                let dict = targets.cast::<PyDict>().map_err(|_| {
                    errors::invalid(
                        py,
                        &field("intendedTargets"),
                        format!(
                            "expected a dict of str to identifier, got {}",
                            type_name(&targets)
                        ),
                    )
                })?;
                for (k, v) in dict.iter() {
                    let key: String = k.extract().map_err(|_| {
                        errors::invalid(py, &field("intendedTargets"), "keys must be str")
                    })?;
                    let id = identifier(py, &format!("{}[{key}]", field("intendedTargets")), &v)?;
                    intended_targets.insert(key, id);
                }
            }
            Some(TeamsPhoneSourceDetails {
                source: identifier(py, &field("source"), &source)?,
                language: attr_str(py, &s, "language", &field("language"))?.unwrap_or_default(),
                status: attr_str(py, &s, "status", &field("status"))?.unwrap_or_default(),
                intended_targets,
            })
        }
    };
    Ok(Some(TeamsPhoneCallDetails {
        teams_phone_caller: caller,
        teams_phone_source: source,
        session_id: text("session_id", "sessionId")?,
        intent: text("intent", "intent")?,
        call_topic: text("call_topic", "callTopic")?,
        call_context: text("call_context", "callContext")?,
        transcript_url: text("transcript_url", "transcriptUrl")?,
        call_sentiment: text("call_sentiment", "callSentiment")?,
        suggested_actions: text("suggested_actions", "suggestedActions")?,
    }))
}

fn attr_bool(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    name: &str,
    field: &str,
) -> PyResult<Option<bool>> {
    attr(value, name)
        .map(|v| {
            v.extract::<bool>().map_err(|_| {
                errors::invalid(py, field, format!("expected a bool, got {}", type_name(&v)))
            })
        })
        .transpose()
}

/// `media_streaming=`: a `MediaStreamingOptions` (ours or the official SDK's); enum members
/// count by their value.
pub fn media_streaming(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<callsteer::MediaStreamingOptions>> {
    let Some(m) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let field = |wire: &str| format!("mediaStreamingOptions.{wire}");
    let text = |name: &str, wire: &str| attr_str(py, m, name, &field(wire));
    Ok(Some(callsteer::MediaStreamingOptions {
        transport_type: text("transport_type", "transportType")?.unwrap_or_default(),
        audio_channel_type: text("audio_channel_type", "audioChannelType")?.unwrap_or_default(),
        transport_url: text("transport_url", "transportUrl")?,
        content_type: text("content_type", "contentType")?,
        start_media_streaming: attr_bool(
            py,
            m,
            "start_media_streaming",
            &field("startMediaStreaming"),
        )?,
        enable_bidirectional: attr_bool(
            py,
            m,
            "enable_bidirectional",
            &field("enableBidirectional"),
        )?,
        audio_format: text("audio_format", "audioFormat")?,
        enable_dtmf_tones: attr_bool(py, m, "enable_dtmf_tones", &field("enableDtmfTones"))?,
    }))
}

/// `transcription=`: a `TranscriptionOptions` (ours or the official SDK's). Its
/// `speech_recognition_model_endpoint_id` is sent as `speechModelEndpointId` (the official SDK
/// 1.6.0 drops it).
pub fn transcription(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<callsteer::TranscriptionOptions>> {
    let Some(t) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let field = |wire: &str| format!("transcriptionOptions.{wire}");
    let text = |name: &str, wire: &str| attr_str(py, t, name, &field(wire));
    Ok(Some(callsteer::TranscriptionOptions {
        transport_type: text("transport_type", "transportType")?.unwrap_or_default(),
        locale: text("locale", "locale")?.unwrap_or_default(),
        transport_url: text("transport_url", "transportUrl")?,
        speech_model_endpoint_id: text(
            "speech_recognition_model_endpoint_id",
            "speechModelEndpointId",
        )?,
        start_transcription: attr_bool(py, t, "start_transcription", &field("startTranscription"))?,
        enable_intermediate_results: attr_bool(
            py,
            t,
            "enable_intermediate_results",
            &field("enableIntermediateResults"),
        )?,
    }))
}

/// `callsteer._models.<class>(**kw)`: the plain Python records (subscriptions, details).
pub fn model_instance<'py>(
    py: Python<'py>,
    class: &str,
    kw: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    py.import("callsteer._models")?
        .getattr(class)?
        .call((), Some(kw))
}

/// Core details → `callsteer.TeamsPhoneCallDetails` (for `IncomingCall.custom_context`).
pub fn teams_phone_call_details_to_py<'py>(
    py: Python<'py>,
    details: &TeamsPhoneCallDetails,
) -> PyResult<Bound<'py, PyAny>> {
    let models = py.import("callsteer._models")?;
    let caller = match &details.teams_phone_caller {
        None => py.None().into_bound(py),
        Some(c) => {
            let kw = PyDict::new(py);
            kw.set_item("caller", identifier_to_py(py, &c.caller)?)?;
            kw.set_item("name", &c.name)?;
            kw.set_item("phone_number", &c.phone_number)?;
            kw.set_item("record_id", &c.record_id)?;
            kw.set_item("screen_pop_url", &c.screen_pop_url)?;
            kw.set_item("is_authenticated", c.is_authenticated)?;
            if !c.additional_caller_information.is_empty() {
                kw.set_item(
                    "additional_caller_information",
                    c.additional_caller_information.clone(),
                )?;
            }
            models
                .getattr("TeamsPhoneCallerDetails")?
                .call((), Some(&kw))?
        }
    };
    let source = match &details.teams_phone_source {
        None => py.None().into_bound(py),
        Some(s) => {
            let kw = PyDict::new(py);
            kw.set_item("source", identifier_to_py(py, &s.source)?)?;
            kw.set_item("language", &s.language)?;
            kw.set_item("status", &s.status)?;
            let targets = PyDict::new(py);
            for (k, v) in &s.intended_targets {
                targets.set_item(k, identifier_to_py(py, v)?)?;
            }
            kw.set_item("intended_targets", targets)?;
            models
                .getattr("TeamsPhoneSourceDetails")?
                .call((), Some(&kw))?
        }
    };
    let kw = PyDict::new(py);
    kw.set_item("teams_phone_caller", caller)?;
    kw.set_item("teams_phone_source", source)?;
    kw.set_item("session_id", &details.session_id)?;
    kw.set_item("intent", &details.intent)?;
    kw.set_item("call_topic", &details.call_topic)?;
    kw.set_item("call_context", &details.call_context)?;
    kw.set_item("transcript_url", &details.transcript_url)?;
    kw.set_item("call_sentiment", &details.call_sentiment)?;
    kw.set_item("suggested_actions", &details.suggested_actions)?;
    models.getattr("TeamsPhoneCallDetails")?.call((), Some(&kw))
}

/// A callback body: `bytes`, `bytearray`, `str`, or already-decoded JSON (dict / list).
pub fn body(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.extract::<String>()?.into_bytes());
    }
    if value.is_instance_of::<PyDict>() || value.is_instance_of::<PyList>() {
        let text: String = py
            .import("json")?
            .call_method1("dumps", (value,))
            .and_then(|s| s.extract())
            .map_err(|e| errors::invalid(py, "body", format!("cannot encode as JSON: {e}")))?;
        return Ok(text.into_bytes());
    }
    Err(errors::invalid(
        py,
        "body",
        format!(
            "expected bytes, str, dict or list, got {}",
            type_name(value)
        ),
    ))
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
pub fn json_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?
        .call_method1("loads", (value.to_string(),))
}

/// Seconds (int or float) → a duration; negative, NaN or huge values are refused.
pub fn seconds(py: Python<'_>, field: &str, value: f64) -> PyResult<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(value).map_err(|_| {
        errors::invalid(
            py,
            field,
            format!("{value} is not a usable number of seconds"),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Models.

/// `CallParticipant`: `identifier`, `is_muted`, `is_on_hold`.
#[pyclass(frozen, name = "CallParticipant", module = "callsteer")]
#[derive(Clone)]
pub struct PyCallParticipant {
    pub inner: CallParticipant,
}

#[pymethods]
impl PyCallParticipant {
    #[getter]
    fn identifier<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        identifier_to_py(py, &self.inner.identifier)
    }
    #[getter]
    fn is_muted(&self) -> bool {
        self.inner.is_muted
    }
    #[getter]
    fn is_on_hold(&self) -> bool {
        self.inner.is_on_hold
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyCallParticipant>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "CallParticipant(identifier={:?}, is_muted={}, is_on_hold={})",
            self.inner.identifier.raw_id(),
            py_bool(self.inner.is_muted),
            py_bool(self.inner.is_on_hold)
        )
    }
}

pub fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

pub fn participants(list: Vec<CallParticipant>) -> Vec<PyCallParticipant> {
    list.into_iter()
        .map(|inner| PyCallParticipant { inner })
        .collect()
}

pub fn opt_any<'py>(
    py: Python<'py>,
    id: Option<&CommunicationIdentifier>,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match id {
        Some(id) => identifier_to_py(py, id)?,
        None => py.None().into_bound(py),
    })
}
