using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Scheduler.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class QueueIndexAndCancellableTimers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "deadline_token_id",
                schema: "scheduler",
                table: "job_sagas",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "queue_wait_token_id",
                schema: "scheduler",
                table: "job_sagas",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_dispatched_at",
                schema: "scheduler",
                table: "fair_share_accounts",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            // When each user was last served moves over, so fair-share ties keep alternating across the upgrade.
            migrationBuilder.Sql("""
                UPDATE scheduler.fair_share_accounts a SET last_dispatched_at = u.last_dispatched_at
                FROM scheduler.user_queues u WHERE u.service = a.service AND u.user_id = a.user_id
                """);

            migrationBuilder.DropTable(
                name: "user_queues",
                schema: "scheduler");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "deadline_token_id",
                schema: "scheduler",
                table: "job_sagas");

            migrationBuilder.DropColumn(
                name: "queue_wait_token_id",
                schema: "scheduler",
                table: "job_sagas");

            migrationBuilder.DropColumn(
                name: "last_dispatched_at",
                schema: "scheduler",
                table: "fair_share_accounts");

            migrationBuilder.CreateTable(
                name: "user_queues",
                schema: "scheduler",
                columns: table => new
                {
                    service = table.Column<string>(type: "text", nullable: false),
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    last_dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    queued = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_queues", x => new { x.service, x.user_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_user_queues_queued",
                schema: "scheduler",
                table: "user_queues",
                column: "queued",
                filter: "queued > 0");
        }
    }
}
