//! Running the installation: backups with verified restore, health checks, the daily report,
//! maintenance, logs, diagnose archives, the status overview, tool-call metrics (and their last days, for charts),
//! uninstall, and the live servers (who is connected, the emergency stop and pause).

pub mod backup;
pub mod diagnose;
pub mod health;
pub mod live;
pub mod logs;
pub mod maintain;
pub mod metrics;
pub mod report;
pub mod status;
pub mod tool_days;
pub mod uninstall;
