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
        new(sql, Connection(db), Transaction(db));

    /// <summary>Several statements for one round trip, on the context's connection and inside its current transaction.</summary>
    public static NpgsqlBatch CreateBatch(this DbContext db) =>
        new(Connection(db), Transaction(db));

    static NpgsqlConnection Connection(DbContext db) => (NpgsqlConnection)db.Database.GetDbConnection();

    static NpgsqlTransaction? Transaction(DbContext db) =>
        (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
}
