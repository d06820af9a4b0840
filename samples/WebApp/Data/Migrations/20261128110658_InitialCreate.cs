using System;
using EfJobs;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebApp.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:Enum:job_status", "job_status_not_started,job_status_running,job_status_failed,job_status_timed_out,job_status_succeeded,job_status_retry");

            migrationBuilder.CreateTable(
                name: "demo_jobs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    work_ms = table.Column<int>(type: "integer", nullable: false),
                    fail_first_attempts = table.Column<int>(type: "integer", nullable: false),
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
                    table.PrimaryKey("pk_demo_jobs", x => x.id);
                });

            migrationBuilder.CreateJobNotificationTriggers("demo_jobs");

            migrationBuilder.CreateTable(
                name: "sent_mails",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    to = table.Column<string>(type: "text", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    sent_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sent_mails", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "welcome_mail_jobs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
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
                    table.PrimaryKey("pk_welcome_mail_jobs", x => x.id);
                    table.ForeignKey(
                        name: "fk_welcome_mail_jobs_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateJobNotificationTriggers("welcome_mail_jobs");

            migrationBuilder.CreateIndex(
                name: "ix_demo_jobs_locked_at",
                table: "demo_jobs",
                column: "locked_at",
                filter: "status = 'job_status_running'");

            migrationBuilder.CreateIndex(
                name: "ix_demo_jobs_run_at_created_at",
                table: "demo_jobs",
                columns: new[] { "run_at", "created_at" },
                filter: "(status = 'job_status_not_started' OR status = 'job_status_retry') AND locked_by IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_users_email",
                table: "users",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_welcome_mail_jobs_locked_at",
                table: "welcome_mail_jobs",
                column: "locked_at",
                filter: "status = 'job_status_running'");

            migrationBuilder.CreateIndex(
                name: "ix_welcome_mail_jobs_run_at_created_at",
                table: "welcome_mail_jobs",
                columns: new[] { "run_at", "created_at" },
                filter: "(status = 'job_status_not_started' OR status = 'job_status_retry') AND locked_by IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_welcome_mail_jobs_user_id",
                table: "welcome_mail_jobs",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropJobNotificationTriggers("demo_jobs");

            migrationBuilder.DropJobNotificationTriggers("welcome_mail_jobs");

            migrationBuilder.DropTable(
                name: "demo_jobs");

            migrationBuilder.DropTable(
                name: "sent_mails");

            migrationBuilder.DropTable(
                name: "welcome_mail_jobs");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
