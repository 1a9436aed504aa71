using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Orchestrator.Platform.Persistence;

public static class DbContextCommands
{
    /// <summary>
    /// A plain Npgsql command on the context's connection and inside its current transaction, for SQL that EF Core does
    /// not express well (an array in, rows of no entity out) but that must commit with the rest of the unit of work.
    /// </summary>
    public static NpgsqlCommand CreateCommand(this DbContext db, string sql) =>
        new(sql, (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
}
