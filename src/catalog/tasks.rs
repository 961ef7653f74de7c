//! Background tasks (re-analysis after a dictionary change): their progress and outcome, read at
//! `GET /api/tasks/{id}`. Kept in memory: a restart forgets them (the index itself is consistent).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    Succeeded,
    Failed,
}

/// A task as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub id: u64,
    /// What it does, e.g. `reanalyze`.
    pub kind: String,
    pub index: String,
    pub status: Status,
    /// What changed, e.g. `user-dictionary`.
    pub reason: String,
    /// Documents re-analysed so far, of `total`.
    pub done: u64,
    pub total: u64,
    /// Changes written while it ran, replayed into the new generation.
    pub replayed: u64,
    pub seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip)]
    started: Option<Instant>,
}

/// Every task of this server's run (the last 100 finished ones, and every running one).
#[derive(Default)]
pub struct Tasks {
    next: AtomicU64,
    tasks: Mutex<BTreeMap<u64, Task>>,
}

const KEPT: usize = 100;

impl Tasks {
    /// Registers a running task and returns its id.
    pub fn start(&self, kind: &str, index: &str, reason: &str) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let task = Task {
            id,
            kind: kind.to_string(),
            index: index.to_string(),
            status: Status::Running,
            reason: reason.to_string(),
            done: 0,
            total: 0,
            replayed: 0,
            seconds: 0.0,
            error: None,
            started: Some(Instant::now()),
        };
        let mut tasks = self.lock();
        tasks.insert(id, task);
        while tasks.len() > KEPT {
            let Some(oldest) = tasks
                .iter()
                .find(|(_, t)| t.status != Status::Running)
                .map(|(id, _)| *id)
            else {
                break;
            };
            tasks.remove(&oldest);
        }
        id
    }

    /// Changes the task `id`.
    pub fn update(&self, id: u64, change: impl FnOnce(&mut Task)) {
        if let Some(task) = self.lock().get_mut(&id) {
            change(task);
            if let Some(started) = task.started {
                task.seconds = started.elapsed().as_secs_f64();
            }
        }
    }

    /// Ends the task `id` with `outcome`.
    pub fn finish(&self, id: u64, outcome: Result<(), String>) {
        self.update(id, |task| match outcome {
            Ok(()) => task.status = Status::Succeeded,
            Err(error) => {
                task.status = Status::Failed;
                task.error = Some(error);
            }
        });
        self.update(id, |task| task.started = None);
    }

    pub fn get(&self, id: u64) -> Option<Task> {
        self.lock().get(&id).cloned().map(fresh)
    }

    pub fn list(&self) -> Vec<Task> {
        self.lock().values().cloned().map(fresh).collect()
    }

    /// Whether a task of `kind` is running on `index`.
    pub fn running(&self, kind: &str, index: &str) -> Option<u64> {
        self.lock()
            .values()
            .find(|t| t.status == Status::Running && t.kind == kind && t.index == index)
            .map(|t| t.id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Task>> {
        self.tasks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running task's seconds as of now.
fn fresh(mut task: Task) -> Task {
    if let Some(started) = task.started {
        task.seconds = started.elapsed().as_secs_f64();
    }
    task
}
