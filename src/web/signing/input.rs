//! The one input type every form of the UI is made of: a signed form's, a review form's, a
//! step's (made from its template) and master data's. What was typed is kept in it, and a
//! refusal about it is shown beside it.

use super::field;

/// One of the options of a choice, a picker or a set of checkboxes.
pub struct Choice {
    pub value: String,
    pub label: String,
    /// For checkboxes: whether it is ticked.
    pub ticked: bool,
}

/// One input of a form.
pub struct Input {
    /// The form's name for it.
    pub name: String,
    /// The command's member it carries, as a refusal names it (its name, unless the page
    /// calls it otherwise, or a step's field, which the form names `f.<id>`).
    pub carries: String,
    pub label: String,
    /// How it is drawn: `text`, `textarea`, `decimal`, `integer`, `date`, `datetime`,
    /// `yesno`, `radio`, `select`, `checkboxes`, and for a step's fields `choice`, `boolean`,
    /// `picker` and `attachment`.
    pub kind: &'static str,
    /// What was typed (or what the form proposes).
    pub value: String,
    pub unit: Option<String>,
    /// Shown beside it (a specification, a format).
    pub hint: Option<String>,
    /// A step field's acceptance range, as this language writes it.
    pub range: Option<String>,
    pub options: Vec<Choice>,
    pub error: Option<String>,
    /// Takes the focus when the page opens (the next input to fill in, or the one refused).
    pub focus: bool,
    /// Must be filled in (an Enter pressed before that only moves on).
    pub required: bool,
}

impl Input {
    pub fn new(name: impl Into<String>, label: String, kind: &'static str) -> Input {
        let name = name.into();
        Input {
            carries: name.clone(),
            name,
            label,
            kind,
            value: String::new(),
            unit: None,
            hint: None,
            range: None,
            options: vec![],
            error: None,
            focus: false,
            required: true,
        }
    }

    /// A text input holding what `form` had in it.
    pub fn text(name: &str, label: String, form: &[(String, String)]) -> Input {
        Input::new(name, label, "text").value(field(form, name))
    }

    /// A date input holding what `form` had in it.
    pub fn date(name: &str, label: String, form: &[(String, String)]) -> Input {
        Input {
            kind: "date",
            ..Input::text(name, label, form)
        }
    }

    /// Checkboxes, as (value, label, ticked).
    pub fn checkboxes(name: &str, label: String, options: Vec<(String, String, bool)>) -> Input {
        let options = options
            .into_iter()
            .map(|(value, label, ticked)| Choice {
                value,
                label,
                ticked,
            })
            .collect();
        Input {
            options,
            ..Input::new(name, label, "checkboxes")
        }
    }

    pub fn hint(mut self, hint: impl Into<Option<String>>) -> Input {
        self.hint = hint.into();
        self
    }

    pub fn unit(mut self, unit: impl Into<Option<String>>) -> Input {
        self.unit = unit.into();
        self
    }

    pub fn optional(mut self) -> Input {
        self.required = false;
        self
    }

    pub fn value(mut self, value: String) -> Input {
        self.value = value;
        self
    }

    /// The options of a choice, as (value, label).
    pub fn options(mut self, options: Vec<(String, String)>) -> Input {
        self.options = options
            .into_iter()
            .map(|(value, label)| Choice {
                value,
                label,
                ticked: false,
            })
            .collect();
        self
    }

    /// The command's member this input is sent as, where the form names it otherwise.
    pub fn carries(mut self, member: &str) -> Input {
        self.carries = member.to_owned();
        self
    }

    /// What was typed into this input in `form`, and the error shown beside it, if the
    /// refusal (member, message) is about what it carries.
    pub fn from(mut self, form: &[(String, String)], error: &Option<(String, String)>) -> Input {
        self.value = field(form, &self.name);
        self.error = error
            .as_ref()
            .filter(|(member, _)| *member == self.carries)
            .map(|(_, message)| message.clone());
        self
    }

    /// The ids of the hint and the error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = vec![];
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}
