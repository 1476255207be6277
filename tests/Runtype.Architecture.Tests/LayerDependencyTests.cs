using Microsoft.AspNetCore.Mvc;
using NetArchTest.Rules;
using Runtype.Api.Sessions;
using Runtype.Application.Common;
using Runtype.Application.Sessions.UpdateSession;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;
using Runtype.Infrastructure.Persistence.Sqlite;
using static Runtype.Architecture.Tests.Layers;

namespace Runtype.Architecture.Tests;

/// <summary>The dependency rule: source code depends inwards only (Api → Infrastructure → Application → Domain).</summary>
public sealed class LayerDependencyTests
{
    [Fact]
    public void Domain_depends_on_no_other_layer_and_no_framework()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "Domain depends on nothing of ours and on no framework package",
            () => TypesOf(DomainAssembly, DomainRoot),
            ApplicationRoot, InfrastructureRoot, ApiRoot,
            EfCoreRoot, AspNetCoreRoot, FluentValidationRoot, MediatorRoot, MapperlyRoot);

        ArchitectureRule.AssertHolds(outcome, typeof(Session), typeof(SessionLifecycle), typeof(CanonicalJson));
    }

    [Fact]
    public void Application_depends_neither_on_infrastructure_nor_on_the_web()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "Application depends on neither Infrastructure, Api, EF Core nor ASP.NET Core",
            () => TypesOf(ApplicationAssembly, ApplicationRoot),
            InfrastructureRoot, ApiRoot, EfCoreRoot, AspNetCoreRoot);

        ArchitectureRule.AssertHolds(outcome, typeof(UpdateSessionHandler), typeof(TransactionBehavior<,>), typeof(IUnitOfWork));
    }

    [Fact]
    public void Infrastructure_does_not_depend_on_the_api()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "Infrastructure does not depend on Api",
            () => TypesOf(InfrastructureAssembly, InfrastructureRoot),
            ApiRoot);

        ArchitectureRule.AssertHolds(outcome, typeof(RuntypeDbContext), typeof(SqliteRuntypeDbContext), typeof(DatabaseMigrator));
    }

    [Fact]
    public void Controllers_use_neither_ef_core_nor_infrastructure()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "Controllers depend on neither EF Core nor any Infrastructure type",
            () => Types.InAssembly(ApiAssembly).That().HaveNameEndingWith("Controller").Or().Inherit(typeof(ControllerBase)),
            EfCoreRoot, InfrastructureRoot);

        ArchitectureRule.AssertHolds(outcome, typeof(SessionsController));
    }

    public static TheoryData<string, string[]> InnerLayers => new()
    {
        { DomainRoot, [] },
        { ApplicationRoot, [DomainRoot] },
        { InfrastructureRoot, [DomainRoot, ApplicationRoot] },
    };

    /// <summary>
    /// The same direction at the level of the compiled assemblies: a layer references only the layers inside it
    /// (the compiler records a reference for every assembly whose types a layer uses).
    /// </summary>
    [Theory]
    [MemberData(nameof(InnerLayers))]
    public void A_layer_references_only_the_layers_inside_it(string layer, string[] allowed)
    {
        var assembly = layer switch
        {
            DomainRoot => DomainAssembly,
            ApplicationRoot => ApplicationAssembly,
            _ => InfrastructureAssembly,
        };
        Assert.Equal(layer, assembly.GetName().Name);

        var ours = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith("Runtype.", StringComparison.Ordinal))
            .ToArray();

        Assert.All(ours, name => Assert.Contains(name, allowed));
    }
}
