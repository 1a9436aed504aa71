using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Api.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class V1Jobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "callback_events",
                schema: "api",
                table: "jobs",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "callback_url",
                schema: "api",
                table: "jobs",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "cancel_requested_at",
                schema: "api",
                table: "jobs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "cancelled_at",
                schema: "api",
                table: "jobs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "client_id",
                schema: "api",
                table: "jobs",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "environment",
                schema: "api",
                table: "jobs",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "idempotency_key",
                schema: "api",
                table: "jobs",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "request_hash",
                schema: "api",
                table: "jobs",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "timed_out_at",
                schema: "api",
                table: "jobs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "timeout_seconds",
                schema: "api",
                table: "jobs",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_jobs_client_id",
                schema: "api",
                table: "jobs",
                column: "client_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_jobs_idempotency_key",
                schema: "api",
                table: "jobs",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_jobs_state",
                schema: "api",
                table: "jobs",
                column: "state");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_jobs_client_id",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "ix_jobs_idempotency_key",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "ix_jobs_state",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "callback_events",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "callback_url",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "cancel_requested_at",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "cancelled_at",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "client_id",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "environment",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "idempotency_key",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "request_hash",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "timed_out_at",
                schema: "api",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "timeout_seconds",
                schema: "api",
                table: "jobs");
        }
    }
}
