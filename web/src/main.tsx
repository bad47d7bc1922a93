import { render } from 'preact';
import { App } from './app';
import { resumeSession } from './lib/session';
import './styles.css';

void resumeSession();
render(<App />, document.getElementById('app') as HTMLElement);
