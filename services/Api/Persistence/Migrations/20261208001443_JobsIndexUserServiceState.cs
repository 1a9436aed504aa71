using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class JobsIndexUserServiceState : Migration
    {
        // In the migration's transaction, like every other: CREATE INDEX CONCURRENTLY would spare writers the build
        // (about a second per million jobs) but waits, at start-up, for every transaction open anywhere in the database.

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_jobs_user_id_service_state",
                schema: "api",
                table: "jobs",
                columns: new[] { "user_id", "service", "state" });

            migrationBuilder.DropIndex(
                name: "ix_jobs_user_id_service",
                schema: "api",
                table: "jobs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_jobs_user_id_service",
                schema: "api",
                table: "jobs",
                columns: new[] { "user_id", "service" });

            migrationBuilder.DropIndex(
                name: "ix_jobs_user_id_service_state",
                schema: "api",
                table: "jobs");
        }
    }
}
