using System;
using EfJobs;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EfJobs.Migrations.Tests.Runtime.Migrations
{
    /// <inheritdoc />
    public partial class RuntimeJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:Enum:job_status", "job_status_not_started,job_status_running,job_status_failed,job_status_timed_out,job_status_succeeded,job_status_retry");

            migrationBuilder.CreateTable(
                name: "runtime_mail_jobs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    Recipient = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<JobStatus>(type: "job_status", nullable: false, defaultValueSql: "'job_status_not_started'::job_status"),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    attempts_count = table.Column<int>(type: "integer", nullable: false, defaultValueSql: "0"),
                    locked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    locked_by = table.Column<Guid>(type: "uuid", nullable: true),
                    run_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runtime_mail_jobs", x => x.id);
                });

            migrationBuilder.CreateJobNotificationTriggers("runtime_mail_jobs");

            migrationBuilder.CreateIndex(
                name: "ix_pending_runtime_mail_jobs",
                table: "runtime_mail_jobs",
                columns: new[] { "run_at", "created_at" },
                filter: "(status = 'job_status_not_started' OR status = 'job_status_retry') AND locked_by IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_running_runtime_mail_jobs",
                table: "runtime_mail_jobs",
                column: "locked_at",
                filter: "status = 'job_status_running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropJobNotificationTriggers("runtime_mail_jobs");

            migrationBuilder.DropTable(
                name: "runtime_mail_jobs");
        }
    }
}
