using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Orchestrator.Scheduler.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Dispatching : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                    enqueued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_queued_jobs", x => x.sequence);
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
                name: "queued_jobs",
                schema: "scheduler");

            migrationBuilder.DropTable(
                name: "user_queues",
                schema: "scheduler");
        }
    }
}
