using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Orchestrator.Scheduler.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "scheduler");

            migrationBuilder.CreateTable(
                name: "active_jobs",
                schema: "scheduler",
                columns: table => new
                {
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    service = table.Column<string>(type: "text", nullable: false),
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    destination = table.Column<string>(type: "text", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_active_jobs", x => x.job_id);
                });

            migrationBuilder.CreateTable(
                name: "fair_share_accounts",
                schema: "scheduler",
                columns: table => new
                {
                    service = table.Column<string>(type: "text", nullable: false),
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    usage = table.Column<double>(type: "double precision", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fair_share_accounts", x => new { x.service, x.user_id });
                });

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                schema: "scheduler",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer = table.Column<string>(type: "text", nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_messages", x => new { x.message_id, x.consumer });
                });

            migrationBuilder.CreateTable(
                name: "job_sagas",
                schema: "scheduler",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    current_state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    job_number = table.Column<long>(type: "bigint", nullable: false),
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    service = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    destination = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    directory = table.Column<string>(type: "text", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    exit_code = table.Column<int>(type: "integer", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    timeout_seconds = table.Column<int>(type: "integer", nullable: false),
                    environment = table.Column<string>(type: "text", nullable: true),
                    cancel_reason = table.Column<string>(type: "text", nullable: true),
                    last_outcome = table.Column<string>(type: "text", nullable: true),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cleaned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    retention_token_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                schema: "scheduler",
                columns: table => new
                {
                    sequence_number = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    destination_address = table.Column<string>(type: "text", nullable: true),
                    message_type = table.Column<string>(type: "text", nullable: false),
                    body = table.Column<string>(type: "jsonb", nullable: false),
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    conversation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    initiator_id = table.Column<Guid>(type: "uuid", nullable: true),
                    trace_parent = table.Column<string>(type: "text", nullable: true),
                    headers = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.sequence_number);
                });

            migrationBuilder.CreateTable(
                name: "queued_jobs",
                schema: "scheduler",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    job_number = table.Column<long>(type: "bigint", nullable: false),
                    service = table.Column<string>(type: "text", nullable: false),
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    destination = table.Column<string>(type: "text", nullable: false),
                    directory = table.Column<string>(type: "text", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    timeout_seconds = table.Column<int>(type: "integer", nullable: true),
                    environment = table.Column<string>(type: "text", nullable: true),
                    enqueued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    trace_parent = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_queued_jobs", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "scheduled_messages",
                schema: "scheduler",
                columns: table => new
                {
                    token_id = table.Column<Guid>(type: "uuid", nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    destination_address = table.Column<string>(type: "text", nullable: false),
                    message_type = table.Column<string>(type: "text", nullable: false),
                    body = table.Column<string>(type: "jsonb", nullable: false),
                    correlation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    trace_parent = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_scheduled_messages", x => x.token_id);
                });

            migrationBuilder.CreateTable(
                name: "user_queues",
                schema: "scheduler",
                columns: table => new
                {
                    service = table.Column<string>(type: "text", nullable: false),
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    queued = table.Column<int>(type: "integer", nullable: false),
                    last_dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_queues", x => new { x.service, x.user_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_inbox_messages_processed_at",
                schema: "scheduler",
                table: "inbox_messages",
                column: "processed_at");

            migrationBuilder.CreateIndex(
                name: "ix_job_sagas_current_state",
                schema: "scheduler",
                table: "job_sagas",
                column: "current_state");

            migrationBuilder.CreateIndex(
                name: "ix_job_sagas_job_number",
                schema: "scheduler",
                table: "job_sagas",
                column: "job_number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_queued_jobs_job_id",
                schema: "scheduler",
                table: "queued_jobs",
                column: "job_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_queued_jobs_service_user_id_sequence",
                schema: "scheduler",
                table: "queued_jobs",
                columns: new[] { "service", "user_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_scheduled_messages_due_at",
                schema: "scheduler",
                table: "scheduled_messages",
                column: "due_at");

            migrationBuilder.CreateIndex(
                name: "ix_user_queues_queued",
                schema: "scheduler",
                table: "user_queues",
                column: "queued",
                filter: "queued > 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "active_jobs",
                schema: "scheduler");

            migrationBuilder.DropTable(
                name: "fair_share_accounts",
                schema: "scheduler");

            migrationBuilder.DropTable(
                name: "inbox_messages",
                schema: "scheduler");

            migrationBuilder.DropTable(
                name: "job_sagas",
                schema: "scheduler");

            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "scheduler");

            migrationBuilder.DropTable(
                name: "queued_jobs",
                schema: "scheduler");

            migrationBuilder.DropTable(
                name: "scheduled_messages",
                schema: "scheduler");

            migrationBuilder.DropTable(
                name: "user_queues",
                schema: "scheduler");
        }
    }
}
