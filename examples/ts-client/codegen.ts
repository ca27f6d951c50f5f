// GraphQL Code Generator configuration: typed documents (the client
// preset) from Switchyard's published SDL and the graphql() calls in src/.
// Regenerate with `npm run codegen`; CI fails when that changes src/gql/.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../graph/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        // Plain result types: this example has no components to mask
        // fragments between.
        fragmentMasking: false,
      },
      config: {
        // Documents are typed strings, sent as they are with fetch: no
        // GraphQL runtime library in the client.
        documentMode: 'string',
        useTypeImports: true,
        // Enums as string unions: nothing to import at run time.
        enumsAsTypes: true,
        // Node's ESM loader needs explicit extensions.
        importExtension: '.js',
        // Every custom scalar must have a type: no silent `any`.
        strictScalars: true,
        scalars: { Time: 'string' },
      },
    },
  },
};

export default config;
