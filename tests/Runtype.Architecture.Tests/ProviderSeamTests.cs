using System.Reflection;
using NetArchTest.Rules;
using Runtype.Infrastructure;
using Runtype.Infrastructure.Persistence;
using Runtype.Infrastructure.Persistence.PostgreSql;
using Runtype.Infrastructure.Persistence.Sqlite;
using Runtype.Infrastructure.Persistence.SqlServer;
using static Runtype.Architecture.Tests.Layers;

namespace Runtype.Architecture.Tests;

/// <summary>
/// One seam per database provider: each provider's ADO.NET and EF Core provider types are used only inside its own
/// folder (<c>Persistence/Sqlite/</c>, <c>Persistence/SqlServer/</c>, <c>Persistence/PostgreSql/</c>), and only the
/// composition switch (<see cref="DependencyInjection"/>) knows the provider folders.
/// </summary>
public sealed class ProviderSeamTests
{
    private static readonly Assembly[] Source = [DomainAssembly, ApplicationAssembly, InfrastructureAssembly, ApiAssembly];

    public static TheoryData<string, string[]> Providers => new()
    {
        { ProviderNamespace("Sqlite"), ["Microsoft.Data.Sqlite", "Microsoft.EntityFrameworkCore.Sqlite", "SQLitePCL"] },
        { ProviderNamespace("SqlServer"), ["Microsoft.Data.SqlClient", "Microsoft.EntityFrameworkCore.SqlServer"] },
        { ProviderNamespace("PostgreSql"), ["Npgsql"] },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_providers_own_types_are_used_only_in_its_folder(string providerNamespace, string[] providerTypes)
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            $"Nothing outside {providerNamespace} uses {string.Join(", ", providerTypes)}",
            () => Types.InAssemblies(Source).That().DoNotResideInNamespaceStartingWith(providerNamespace),
            providerTypes);

        ArchitectureRule.AssertHolds(outcome, typeof(RuntypeDbContext), typeof(UnitOfWork), typeof(DatabaseFailures), typeof(Api.Errors.ExceptionProblems));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Only_the_composition_switch_knows_a_provider_folder(string providerNamespace, string[] providerTypes)
    {
        _ = providerTypes;
        var outcome = ArchitectureRule.MustNotDependOn(
            $"Nothing outside {providerNamespace} but the composition switch depends on it",
            () => Types.InAssemblies(Source).That().DoNotResideInNamespaceStartingWith(providerNamespace)
                .And().DoNotHaveName(nameof(DependencyInjection)),
            providerNamespace);

        ArchitectureRule.AssertHolds(outcome, typeof(RuntypeDbContext), typeof(DatabaseMigrator), typeof(Api.Hosting.ApiHost));
    }

    [Fact]
    public void Canary_the_seam_rule_reports_a_provider_folder_using_its_own_types()
    {
        var sqlite = ArchitectureRule.MustNotDependOn(
            "Canary: the SQLite folder does not use Microsoft.Data.Sqlite (false by design)",
            () => Types.InAssembly(InfrastructureAssembly).That().ResideInNamespaceStartingWith(ProviderNamespace("Sqlite")),
            "Microsoft.Data.Sqlite");
        var postgreSql = ArchitectureRule.MustNotDependOn(
            "Canary: the PostgreSQL folder does not use Npgsql (false by design)",
            () => Types.InAssembly(InfrastructureAssembly).That().ResideInNamespaceStartingWith(ProviderNamespace("PostgreSql")),
            "Npgsql");
        var composition = ArchitectureRule.MustNotDependOn(
            "Canary: the composition switch does not know the SQL Server folder (false by design)",
            () => Types.InAssembly(InfrastructureAssembly).That().HaveName(nameof(DependencyInjection)),
            ProviderNamespace("SqlServer"));

        Assert.Contains(typeof(SqliteWriteGate).FullName, sqlite.Violations);
        Assert.Contains(typeof(PostgreSqlDatabaseFailures).FullName, postgreSql.Violations);
        Assert.Equal([typeof(DependencyInjection).FullName!], composition.Violations);
        Assert.NotEmpty(typeof(SqlServerRuntypeDbContext).Namespace!);
    }

    /// <summary>
    /// Work outside an API call (background services, stream polls) holds its connection as a call does, leased on
    /// SQLite (ADR 0009): in Infrastructure only <see cref="DatabaseScope"/> makes a service scope, so none opens a
    /// context that would open connections of its own on a thread-pool thread.
    /// </summary>
    [Fact]
    public void Only_the_database_scope_makes_a_service_scope_in_infrastructure()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            $"Nothing in Infrastructure but {nameof(DatabaseScope)} makes a service scope",
            () => Types.InAssembly(InfrastructureAssembly).That().DoNotHaveNameStartingWith(nameof(DatabaseScope)),
            ServiceScopeTypes);

        ArchitectureRule.AssertHolds(outcome, typeof(Infrastructure.Background.SessionSweeper), typeof(Infrastructure.Background.ApiKeyUseRecorder));
    }

    [Fact]
    public void Canary_the_scope_rule_reports_the_database_scope_itself()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "Canary: DatabaseScope makes no service scope (false by design)",
            () => Types.InAssembly(InfrastructureAssembly).That().HaveNameStartingWith(nameof(DatabaseScope)),
            ServiceScopeTypes);

        Assert.Contains(typeof(DatabaseScope).FullName, outcome.Violations);
    }

    private static readonly string[] ServiceScopeTypes =
        ["Microsoft.Extensions.DependencyInjection.AsyncServiceScope", "Microsoft.Extensions.DependencyInjection.IServiceScope"];

    private static string ProviderNamespace(string folder) => $"{InfrastructureRoot}.Persistence.{folder}";
}
