using NetArchTest.Rules;
using Runtype.Application.Sessions;
using Runtype.Infrastructure.Persistence;
using static Runtype.Architecture.Tests.Layers;

namespace Runtype.Architecture.Tests;

/// <summary>
/// Each rule helper, pointed at types that are known to break its rule, must report the break. A helper that
/// checked nothing (a wrong assembly, a typo in a namespace, a condition that never fails) would pass every
/// layer test above; here it fails.
/// </summary>
public sealed class CanaryTests
{
    [Fact]
    public void The_dependency_rule_reports_infrastructure_using_ef_core()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "Canary: Infrastructure does not depend on EF Core (false by design)",
            () => TypesOf(InfrastructureAssembly, InfrastructureRoot),
            EfCoreRoot);

        Assert.NotEmpty(outcome.Selected);
        Assert.False(outcome.Holds, "The dependency rule passed on Infrastructure, which is built on EF Core: it checks nothing.");
        Assert.Contains(typeof(RuntypeDbContext).FullName, outcome.Violations);
        Assert.Throws<Xunit.Sdk.TrueException>(() => ArchitectureRule.AssertHolds(outcome));
    }

    [Fact]
    public void The_dependency_rule_reports_a_dependency_on_one_of_our_layers()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "Canary: Infrastructure does not depend on Application (false by design)",
            () => TypesOf(InfrastructureAssembly, InfrastructureRoot),
            ApplicationRoot);

        Assert.False(outcome.Holds, "The dependency rule missed Infrastructure implementing Application's ports.");
    }

    [Fact]
    public void The_sealed_rule_reports_an_unsealed_type()
    {
        // SessionDto is a record that SessionDetailsDto derives from, so it cannot be sealed.
        var outcome = ArchitectureRule.MustBeSealed(
            "Canary: the session DTOs are sealed (false by design)",
            () => Types.InAssembly(ApplicationAssembly).That().HaveName(nameof(SessionDto)));

        Assert.Equal([typeof(SessionDto)], outcome.Selected);
        Assert.False(outcome.Holds, "The sealed rule passed on SessionDto, which is not sealed.");
    }

    [Fact]
    public void The_record_rule_reports_a_class_that_is_not_a_record()
    {
        var outcome = ArchitectureRule.MustBeRecords("Canary: handlers are records (false by design)", ConventionTests.Handlers);

        Assert.NotEmpty(outcome.Selected);
        Assert.Equal(outcome.Selected.Count, outcome.Violations.Count);
    }

    [Fact]
    public void An_empty_selection_fails_the_assertion()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "Canary: a namespace that does not exist",
            () => TypesOf(DomainAssembly, "Runtype.Domian"),
            EfCoreRoot);

        Assert.Empty(outcome.Selected);
        Assert.True(outcome.Holds);
        var failure = Assert.Throws<Xunit.Sdk.TrueException>(() => ArchitectureRule.AssertHolds(outcome));
        Assert.Contains("selected no types", failure.Message, StringComparison.Ordinal);
    }
}
