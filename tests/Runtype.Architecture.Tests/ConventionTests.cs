using FluentValidation;
using Mediator;
using NetArchTest.Rules;
using Runtype.Application.ApiKeys.AuthenticateApiKey;
using Runtype.Application.Sessions.DeleteSession;
using Runtype.Application.Sessions.GetSession;
using Runtype.Application.Sessions.UpdateSession;
using static Runtype.Architecture.Tests.Layers;

namespace Runtype.Architecture.Tests;

/// <summary>The shape of a use case: immutable messages, sealed handlers and validators.</summary>
public sealed class ConventionTests
{
    /// <summary>Every Mediator handler of the Application layer (DeleteSession's one-argument form included).</summary>
    internal static PredicateList Handlers() =>
        Types.InAssembly(ApplicationAssembly).That()
            .ImplementInterface(typeof(ICommandHandler<,>)).Or()
            .ImplementInterface(typeof(IQueryHandler<,>));

    /// <summary>Every Mediator message (command or query) of the Application layer.</summary>
    internal static PredicateList Messages() =>
        Types.InAssembly(ApplicationAssembly).That().ImplementInterface(typeof(IMessage));

    internal static PredicateList Validators() =>
        Types.InAssembly(ApplicationAssembly).That().Inherit(typeof(AbstractValidator<>));

    [Fact]
    public void Handlers_are_sealed()
    {
        var outcome = ArchitectureRule.MustBeSealed("Handlers are sealed", Handlers);

        ArchitectureRule.AssertHolds(outcome, typeof(UpdateSessionHandler), typeof(GetSessionHandler), typeof(DeleteSessionHandler), typeof(AuthenticateApiKeyHandler));
    }

    [Fact]
    public void Commands_and_queries_are_sealed()
    {
        var outcome = ArchitectureRule.MustBeSealed("Commands and queries are sealed", Messages);

        ArchitectureRule.AssertHolds(outcome, typeof(UpdateSession), typeof(GetSession), typeof(DeleteSession), typeof(AuthenticateApiKey));
    }

    [Fact]
    public void Commands_and_queries_are_records()
    {
        var outcome = ArchitectureRule.MustBeRecords("Commands and queries are records", Messages);

        ArchitectureRule.AssertHolds(outcome, typeof(UpdateSession), typeof(GetSession));
    }

    [Fact]
    public void Validators_are_sealed()
    {
        var outcome = ArchitectureRule.MustBeSealed("Validators are sealed", Validators);

        ArchitectureRule.AssertHolds(outcome, typeof(UpdateSessionValidator));
    }
}
