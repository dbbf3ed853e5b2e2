//! `BoundPluginServer::serve` stops gracefully on SIGTERM (what Kubernetes sends to a plugin pod).
//!
//! Runs in its own test binary because it signals its own process. The test first installs its
//! own SIGTERM listener, so the process is never killed; it then sends SIGTERM repeatedly until
//! the server returns (the kit's listener only sees signals sent after it was installed, and the
//! test cannot observe that moment).
#![cfg(all(unix, feature = "server"))]

use std::time::Duration;

use cloudforet_client::proto::spaceone::api::inventory::plugin::{
    GetTaskRequest, TasksInfo, job_server::Job, job_server::JobServer,
};
use cloudforet_client::server::PluginServer;
use tokio::signal::unix::{SignalKind, signal};
use tonic::{Request, Response, Status};

struct NoTasks;

#[tonic::async_trait]
impl Job for NoTasks {
    async fn get_tasks(&self, _: Request<GetTaskRequest>) -> Result<Response<TasksInfo>, Status> {
        Ok(Response::new(TasksInfo::default()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_returns_after_sigterm() {
    // Keeps the default action (terminate) from ever applying to this process.
    let mut guard = signal(SignalKind::terminate()).unwrap();

    let bound = PluginServer::builder()
        .listen("127.0.0.1:0".parse().unwrap())
        .add_service(JobServer::new(NoTasks))
        .bind()
        .await
        .unwrap();
    let server = tokio::spawn(bound.serve());

    let pid = std::process::id().to_string();
    let mut sent = 0;
    while !server.is_finished() {
        let status = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        assert!(status.success(), "kill -TERM {pid} failed");
        sent += 1;
        assert!(guard.recv().await.is_some());
        assert!(sent < 500, "the server did not stop after {sent} SIGTERMs");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.await.unwrap().unwrap();
}
