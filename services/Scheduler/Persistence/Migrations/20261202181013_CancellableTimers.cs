using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Scheduler.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class CancellableTimers : Migration
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
        }
    }
}
