//! Runs a litmus test under loom, in every interleaving and with every value the memory model
//! lets each load read, and says what loom found.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

// ANCHOR: verdict
/// What loom made of a model: how many executions it ran, what the model's loads read in
/// them, and the first failure, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Executions explored: every one if `failure` is `None`, else up to the failing one.
    pub executions: usize,
    /// The outcomes of the executions that passed: what the model returned, as `{:?}`.
    pub outcomes: BTreeSet<String>,
    /// The message of the assertion that failed (or loom's "deadlock").
    pub failure: Option<String>,
}

/// Runs `model` under loom, every execution (no preemption bound: the models are small),
/// collects what each execution returns, and catches the panic of a failing one.
pub fn check<O: Debug>(model: impl Fn() -> O + Send + Sync + 'static) -> Verdict {
    let runs = Arc::new(AtomicUsize::new(0));
    let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
    let (counted, seen) = (Arc::clone(&runs), Arc::clone(&outcomes));
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            let outcome = model();
            seen.lock().unwrap().insert(format!("{outcome:?}"));
        })
    }));
    let failure = result.err().map(|payload| {
        let text = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into());
        // "deadlock; threads = [...]": the word before the details is enough.
        text.split(';').next().unwrap_or_default().to_string()
    });
    let outcomes = outcomes.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Verdict {
        executions: runs.load(Ordering::Relaxed),
        outcomes,
        failure,
    }
}
// ANCHOR_END: verdict

impl Verdict {
    /// One line for a program's output: `passes (4 executions): (false, true) (true, true)`
    /// or `fails at execution 3: both loads read false`.
    pub fn line(&self) -> String {
        match &self.failure {
            None => format!(
                "passes ({} executions): {}",
                self.executions,
                self.outcomes.iter().cloned().collect::<Vec<_>>().join(" ")
            ),
            Some(failure) => format!("fails at execution {}: {failure}", self.executions),
        }
    }

    /// Whether loom saw exactly these outcomes, and no failure: the model passes, and loom
    /// did explore every outcome the memory model allows (a check against a search that
    /// skipped executions, which loom can do: tokio-rs/loom#392).
    pub fn passes_with(&self, outcomes: &[&str]) -> bool {
        self.failure.is_none()
            && self
                .outcomes
                .iter()
                .map(String::as_str)
                .eq(outcomes.iter().copied().collect::<BTreeSet<_>>())
    }
}

/// A value that lives as long as the program: what a model shares between its threads. A
/// failing model unwinds, and a loom object dropped during that unwinding would abort the
/// process instead of failing the model, so the models leak their atomics (a few bytes per
/// execution) rather than drop them.
pub fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}
