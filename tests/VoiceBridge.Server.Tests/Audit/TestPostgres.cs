using Npgsql;

namespace VoiceBridge.Server.Tests.Audit;

/// <summary>
/// The PostgreSQL server tests/run.sh starts on loopback (VOICEBRIDGE_TEST_POSTGRES). Without it the tests fail in CI
/// and are skipped, with the reason, elsewhere — never silently.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "VOICEBRIDGE_TEST_POSTGRES";

    public static string ConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        var message = $"{Variable} is not set: run tests/run.sh, which installs PostgreSQL when missing and starts it on 127.0.0.1.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
        return "";
    }

    /// <summary>A table name of its own per test, so tests run in parallel against one database.</summary>
    public static string NewTable() => "audit_test_" + Guid.NewGuid().ToString("N")[..12];

    public static async Task DropAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand($"DROP TABLE IF EXISTS {table}", connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
