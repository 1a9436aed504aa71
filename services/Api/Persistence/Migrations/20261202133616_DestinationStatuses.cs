using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DestinationStatuses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "destination_statuses",
                schema: "api",
                columns: table => new
                {
                    destination = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    instance = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    slots = table.Column<int>(type: "integer", nullable: false),
                    slots_in_use = table.Column<int>(type: "integer", nullable: false),
                    healthy = table.Column<bool>(type: "boolean", nullable: false),
                    agents = table.Column<string>(type: "jsonb", nullable: false),
                    reported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_destination_statuses", x => new { x.destination, x.instance });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "destination_statuses",
                schema: "api");
        }
    }
}
